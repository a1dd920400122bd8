import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n, preferredLocale } from './i18n'
import { createAppVuetify } from './plugins/vuetify'
import { PORTS } from './ports/ports'
import { browserPorts } from './ports/browser'

const app = createApp(App)
app.provide(PORTS, browserPorts())
app.use(createPinia())
const i18n = createAppI18n(preferredLocale(navigator.languages))
app.use(i18n)
app.use(createAppVuetify(i18n))
app.mount('#app')
