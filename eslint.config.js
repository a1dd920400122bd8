// Lint enforces the architecture as well as the code: src/cti stays pure, sip.js stays
// behind src/sip/sipjs, and browser effects stay behind src/ports.
import globals from 'globals'
import pluginVue from 'eslint-plugin-vue'
import tseslint from 'typescript-eslint'

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
)
