import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'
import vuetify from 'vite-plugin-vuetify'
import pkg from './package.json' with { type: 'json' }
import { sipjsGrammar } from './scripts/vite-sipjs-grammar.mjs'

export default defineConfig({
  plugins: [sipjsGrammar(), vue(), vuetify({ autoImport: true })],
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
    environment: 'node',
    // sip.js inline: the unit tests run its grammar as the app does, through scripts/vite-sipjs-grammar.mjs.
    server: { deps: { inline: ['vuetify', 'sip.js'] } },
    // `unit` starts no lab process (no Kamailio, sipp, CRM stand-in or browser): `npm test -- --unit`.
    // `lab` is the lab's self-test (real Kamailio and sipp, the CRM stand-in): part of `npm test`
    // and `npm test -- --e2e`, or `npx vitest run --project lab`.
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts', 'scripts/**/*.test.mjs', 'helper/**/*.test.mjs'] } },
      { extends: true, test: { name: 'lab', include: ['lab/**/*.test.mjs'] } },
    ],
  },
})
