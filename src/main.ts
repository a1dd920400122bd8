import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n, preferredLocale } from './i18n'
import { createAppVuetify } from './plugins/vuetify'
import { PORTS } from './ports/ports'
import { browserPorts } from './ports/browser'
import { rehearseRingPath } from './plugins/rehearse'
import { useCallsStore } from './stores/calls'
import { useCtiStore } from './stores/cti'

const app = createApp(App)
const ports = browserPorts()
app.provide(PORTS, ports)
const pinia = createPinia()
app.use(pinia)
const i18n = createAppI18n(preferredLocale(ports.language.preferred))
app.use(i18n)
app.use(createAppVuetify(i18n))
app.mount('#app')
rehearseRingPath(app, () => {
  const reading = useCallsStore(pinia).rehearse()
  if (reading) useCtiStore(pinia).rehearse(reading)
  return reading !== undefined
})
