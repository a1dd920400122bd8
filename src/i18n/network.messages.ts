/** What the agent sees when the network gets in the way of a call (issue 11 item 3). */
export const en = {
  network: {
    reconnecting: 'Reconnecting…',
    reconnectingHint: 'The connection to the phone system dropped; the call is being restored.',
  },
}

export const ja: typeof en = {
  network: {
    reconnecting: '再接続中…',
    reconnectingHint: '電話システムとの接続が切れました。通話を復旧しています。',
  },
}
