// Lint enforces the architecture as well as the code: src/cti stays pure, sip.js stays
// behind src/sip/sipjs, and browser effects stay behind src/ports.
import globals from 'globals'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

/** Browser effects a component must leave to a store (and the store to a port). */
const BROWSER_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'fetch', 'performance']
const noEffects = (name) => `Components do no effects: use a store action (its store reaches the browser through a port) instead of \`${name}\`.`

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '.run/**', 'helper/extension/**'] },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      'vue/multi-word-component-names': 'off',
      'vue/no-v-html': 'error',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Ambient declarations describe globals, which is what `declare var` is for.
    files: ['**/*.d.ts'],
    rules: { 'no-var': 'off' },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.vue'],
    ignores: ['src/sip/sipjs/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'sip.js', message: 'sip.js lives behind src/sip/sipjs.' }], patterns: [{ group: ['sip.js/*'], message: 'sip.js lives behind src/sip/sipjs.' }] }],
    },
  },
  {
    files: ['src/cti/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['vue', 'pinia', 'vuetify', 'vuetify/*', 'sip.js', 'sip.js/*', '@/*'] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'fetch'],
    },
  },
  {
    // Components are views: props and stores in, events out. Effects go through stores, which
    // take the ports; the CTI engine runs only in stores. Type-only imports stay allowed (a
    // component may name `AudioDevice` or `AccessName`), since they vanish from the build and
    // cannot reach the browser or the engine. `*.test.ts` may use the browser (jsdom) freely.
    files: ['src/components/**/*.ts', 'src/components/**/*.vue', 'src/App.vue'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['@/ports', '@/ports/*'], allowTypeImports: true, message: 'Components reach the browser through a store action; the stores take the ports.' },
          { group: ['@/cti', '@/cti/*'], allowTypeImports: true, message: 'Components never call the CTI engine; a store does (see stores/cti.ts, stores/test-console.ts).' },
          // The same folders by relative path (`./ports/ports` from App.vue, `../../cti` deeper down).
          { regex: '^(\\./|(\\.\\./)+)(ports|cti)(/(?!.*\\.vue$)|$)', allowTypeImports: true, message: 'Components reach ports and the CTI engine only through stores.' },
        ],
      }],
      'no-restricted-globals': ['error', ...BROWSER_GLOBALS.map((name) => ({ name, message: noEffects(name) }))],
      // `globalThis.window` and friends are the same globals by another name.
      'no-restricted-properties': ['error', ...BROWSER_GLOBALS.map((property) => ({ object: 'globalThis', property, message: noEffects(property) }))],
    },
  },
)
