/** The top bar's History button (the view's own texts load with it: `./history-view.ts`). */
export const en = {
  history: {
    open: 'History',
    openMissed: 'History ({count} missed)',
  },
}

export const ja = {
  history: {
    open: '履歴',
    openMissed: '履歴 (不在 {count} 件)',
  },
}
