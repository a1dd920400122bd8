/**
 * The main screen's notice that the size cap (`recording.maxMegabytes`) removed a recording the
 * CRM had not got. Loaded with the recorder (`src/recording/lost-notice.ts`), merged into the
 * app's messages when it first reports one: not with the first paint. Not a `*.messages.ts`
 * file, so the eager glob in `./index.ts` leaves it out; `typeof en` keeps the keys in step.
 */
const en = {
  calls: {
    notices: {
      'recording-lost': 'The recording size limit removed the recording of the call with {number} before the CRM received it.',
    },
  },
}

const ja: typeof en = {
  calls: {
    notices: {
      'recording-lost': '録音の容量上限のため、{number} との通話の録音を CRM に送信する前に削除しました。',
    },
  },
}

export default { en, ja }
