/**
 * The "this tab was discarded" notice's texts. Loaded with the notice (its local `useI18n`
 * scope), which shows only after a discard: not with the first paint. Not a `*.messages.ts`
 * file, so the eager glob in `./index.ts` leaves it out; `typeof en` keeps the keys in step.
 */
const en = {
  lifecycle: {
    discarded: 'The browser had closed this tab to save memory: calls could not ring until it reloaded. Ask IT to exempt the phone from tab discarding.',
    dismiss: 'Dismiss',
  },
}

const ja: typeof en = {
  lifecycle: {
    discarded: 'メモリ節約のためブラウザがこのタブを閉じていました。再読み込みまで着信できませんでした。タブの破棄の対象外にするよう IT 担当者に依頼してください。',
    dismiss: '閉じる',
  },
}

export default { en, ja }
