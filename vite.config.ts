import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'
import vuetify from 'vite-plugin-vuetify'
import pkg from './package.json' with { type: 'json' }

export default defineConfig({
  plugins: [vue(), vuetify({ autoImport: true })],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __APP_VERSION__: JSON.stringify(pkg.version),
    __BUILD_DATE__: JSON.stringify(new Date().toISOString()),
    __SIPJS_VERSION__: JSON.stringify(pkg.dependencies['sip.js']),
  },
  build: {
    target: 'es2022',
    reportCompressedSize: true,
  },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs', 'lab/**/*.test.mjs', 'helper/**/*.test.mjs'],
    environment: 'node',
    server: { deps: { inline: ['vuetify'] } },
  },
})
