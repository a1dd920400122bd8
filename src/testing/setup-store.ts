import { createPinia, setActivePinia } from 'pinia'
import { createApp } from 'vue'
import { PORTS, type AppPorts } from '@/ports/ports'

/** A fresh Pinia inside an app that provides `ports`, as `main.ts` does. */
export function setupStores(ports: AppPorts) {
  const app = createApp({ render: () => null })
  app.provide(PORTS, ports)
  const pinia = createPinia()
  app.use(pinia)
  setActivePinia(pinia)
  return { app, pinia }
}
