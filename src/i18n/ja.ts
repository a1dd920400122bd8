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
    body: 'IT 部門から配布された設定用リンク（…?config=<url>）でこの電話を開くか、メニューの「設定」で SIP アカウントを入力してください。',
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
  popup: { title: '着信', searching: 'CRM を検索中…', searchFailed: 'CRM の検索に失敗しました（CTI ログ参照）' },
  cti: {
    status: {
      off: 'CRM 連携なし',
      'logged-out': 'CRM: 未ログイン',
      pending: 'CRM: ログイン中…',
      ok: 'CRM 接続中',
      expired: 'CRM: セッション切れ',
      failed: 'CRM ログイン失敗',
    },
    login: 'CRM ログイン',
    logout: 'CRM からサインアウト',
    log: 'CTI ログ',
    logEmpty: 'CRM へのリクエストはまだありません。',
    clearLog: 'クリア',
    configErrors: 'CTI 設定に誤りがあります。修正されるまで CRM 連携は停止しています:',
    blockedTab: 'ブラウザが CRM のウィンドウをブロックしました。',
    openBlocked: 'CRM を開く',
    blockedHint: 'IT 担当者へ: このサイトのポップアップを許可してください（Chrome/Edge ポリシー PopupsAllowedForUrls）。',
    columns: { time: '時刻', access: 'アクセス', method: '方法', url: 'URL / コマンド', status: '結果', ms: 'ms', values: '値' },
    access: { auth: '認証', search: '検索', click: 'クリック時', ring: '着信時', answer: '応答時', hangup: '切断時', history: '履歴連携' },
  },
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
