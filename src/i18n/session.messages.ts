export const en = {
  line: {
    busy: 'Tsunagu is already open in another tab of this browser; calls ring there.',
    moved: 'The phone moved to another tab of this browser; calls ring there now.',
    useHere: 'Use the phone in this tab',
    handedOff: 'Calling {number} from the phone\'s tab.',
  },
}

export const ja: typeof en = {
  line: {
    busy: 'Tsunagu はこのブラウザの別のタブで開いています。着信はそちらで鳴ります。',
    moved: '電話はこのブラウザの別のタブに移りました。着信はそちらで鳴ります。',
    useHere: 'このタブで電話を使う',
    handedOff: '電話のタブから {number} に発信します。',
  },
}
