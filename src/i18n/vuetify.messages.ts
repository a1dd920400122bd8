import { en as vuetifyEn, ja as vuetifyJa } from 'vuetify/locale'

/** Vuetify's built-in component texts, through vue-i18n (see plugins/vuetify.ts). */
export const en = { $vuetify: vuetifyEn }
export const ja = { $vuetify: vuetifyJa }
