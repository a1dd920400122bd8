/**
 * The call history view's texts, in Japanese and English. Loaded with the view (its local
 * `useI18n` scope), not with the first paint; the key-parity test covers them.
 * Not a `*.messages.ts` file, so the eager glob in `./index.ts` leaves it out.
 */
const en = {
  history: {
    title: 'Call history',
    close: 'Close',
    search: 'Search: number, name or company',
    resultFilter: 'Result',
    directionFilter: 'Direction',
    fromDay: 'From',
    toDay: 'To',
    export: 'Export CSV',
    exported: '{count} calls exported.',
    all: 'All',
    more: 'More',
    empty: 'No calls.',
    unavailable: 'The call history cannot be stored in this browser.',
    redial: 'Call {number}',
    cutOff: 'cut off',
    duration: '{seconds} s',
    direction: { in: 'Incoming', out: 'Outgoing' },
    retry: 'Retry now',
    openInCrm: 'Open in CRM',
    recording: {
      label: 'Recording',
      play: 'Play the recording',
      download: 'Download the recording',
      gone: 'Recording no longer kept here',
      lost: '{count} recording(s) were removed to stay under the size limit before the CRM got them.',
      part: '(part {part})',
      tooLarge: 'Not sent: the file ({size} MB) is larger than the helper carries ({limit} MB).',
    },
    delivery: { pending: 'CRM: waiting', sending: 'CRM: sending', delivered: 'CRM: sent', 'failed-permanent': 'CRM: failed' },
    result: {
      answered: 'answered',
      missed: 'missed',
      declined: 'declined',
      rejected: 'rejected',
      failed: 'failed',
      transferred: 'transferred',
      cancelled: 'cancelled',
    },
  },
}

const ja = {
  history: {
    title: '通話履歴',
    close: '閉じる',
    search: '検索: 電話番号・名前・会社名',
    resultFilter: '結果',
    directionFilter: '発着信',
    fromDay: '開始日',
    toDay: '終了日',
    export: 'CSV をエクスポート',
    exported: '{count} 件をエクスポートしました。',
    all: 'すべて',
    more: 'さらに表示',
    empty: '通話はありません。',
    unavailable: 'このブラウザーでは通話履歴を保存できません。',
    redial: '{number} に発信',
    cutOff: '途中で切断',
    duration: '{seconds} 秒',
    direction: { in: '着信', out: '発信' },
    retry: '今すぐ再送',
    openInCrm: 'CRM で開く',
    recording: {
      label: '録音',
      play: '録音を再生',
      download: '録音をダウンロード',
      gone: '録音はこの端末にありません',
      lost: '容量上限のため、CRM に未送信の録音 {count} 件を削除しました。',
      part: '(パート {part})',
      tooLarge: '送信できません: 録音ファイル（{size} MB）がヘルパーで送れる上限（{limit} MB）を超えています。',
    },
    delivery: { pending: 'CRM: 送信待ち', sending: 'CRM: 送信中', delivered: 'CRM: 送信済み', 'failed-permanent': 'CRM: 送信失敗' },
    result: {
      answered: '応答',
      missed: '不在',
      declined: '拒否',
      rejected: '着信拒否',
      failed: '失敗',
      transferred: '転送',
      cancelled: '取消',
    },
  },
}

export default { en, ja }
