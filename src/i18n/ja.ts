import type en from './en'

const ja: typeof en = {
  app: { title: 'Tsunagu' },
  registration: {
    registered: '登録済み',
    connecting: '接続中…',
    reconnecting: '再接続中…',
    unregistered: '未登録',
    failed: '登録に失敗しました',
  },
  notConfigured: {
    title: 'SIP アカウントが設定されていません',
    body: 'IT 部門から配布された設定用リンク（…?config=<url>）でこの電話を開いてください。',
  },
  provisioning: {
    fetchFailed: '設定ファイル {url} を読み込めませんでした: {message}。保存済みの設定を使います。',
    invalid: '設定ファイル {url} に誤りがあります。保存済みの設定を使います。',
    storageFailed: 'このブラウザに設定を保存できませんでした（{message}）。ページを閉じるまで有効です。',
  },
  dial: {
    label: '電話番号',
    call: '発信',
    clear: '1 文字削除',
    notRegistered: '発信できません: 電話が登録されていません。',
  },
  call: {
    incoming: '着信',
    outgoing: '発信中',
    active: '通話中',
    answer: '応答',
    decline: '拒否',
    hangup: '切断',
    noCalls: '通話はありません',
    anonymous: '非通知',
  },
  popup: { title: '着信' },
  notifications: {
    enable: '通知を有効にする',
    why: '他のタブで作業中でも着信をお知らせします。',
    denied: 'このサイトの通知がブロックされています。ブラウザのサイト設定で許可してください。',
  },
  audio: {
    locked: '着信音を鳴らすために、画面のどこかを一度クリックしてください。',
  },
  language: { label: '言語', ja: '日本語', en: 'English' },
}
export default ja
