import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createAppI18n, preferredLocale } from './i18n'
import { vuetify } from './plugins/vuetify'
import { PORTS } from './ports/ports'
import { browserPorts } from './ports/browser'

const app = createApp(App)
app.provide(PORTS, browserPorts())
app.use(createPinia())
app.use(createAppI18n(preferredLocale(navigator.languages)))
app.use(vuetify)
app.mount('#app')
