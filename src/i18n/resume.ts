/** Loaded with the resume store (`stores/resume.ts`), merged into the app's messages then. */
const en = {
  resume: {
    rejoining: 'Resuming after the reload…',
    hint: 'Reloading the page (F5) keeps this call: it continues after the reload.',
    failed: 'The call with {number} could not be resumed after the reload ({reason}).',
    callBack: 'Call back',
  },
}

const ja: typeof en = {
  resume: {
    rejoining: '再読み込み後の通話を再開しています…',
    hint: 'ページを再読み込み（F5）しても通話は切れず、再読み込み後に続きます。',
    failed: '{number} との通話を再読み込み後に再開できませんでした（{reason}）。',
    callBack: '折り返し発信',
  },
}

export default { en, ja }
