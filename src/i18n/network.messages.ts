/** What the agent sees when the network gets in the way of a call (issue 11 item 3). */
export const en = {
  network: {
    /** On the call card while the line reconnects and the call's media is renegotiated. */
    reconnecting: 'Reconnecting…',
  },
}

export const ja: typeof en = {
  network: {
    reconnecting: '再接続中…',
  },
}
