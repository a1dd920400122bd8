export const en = {
  lifecycle: {
    discarded: 'The browser closed this tab in the background to save memory and has just reloaded it: calls could not ring while it was closed. Ask IT to exempt the phone from tab discarding.',
  },
}

export const ja: typeof en = {
  lifecycle: {
    discarded: 'メモリ節約のため、ブラウザがこのタブをバックグラウンドで閉じ、いま再読み込みしました。閉じていた間は着信できませんでした。電話をタブの破棄の対象外にするよう IT 担当者に依頼してください。',
  },
}
