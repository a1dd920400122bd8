export const en = {
  line: {
    busy: 'The phone is open in another tab: its calls show here and can be answered here.',
    moved: 'The phone moved to another tab: its calls show here and can be answered here.',
    useHere: 'Use the phone in this tab',
    handedOff: 'Calling {number} from the phone\'s tab.',
  },
}

export const ja: typeof en = {
  line: {
    busy: '電話は別のタブで開いています。着信はここにも表示され、ここで応答できます。',
    moved: '電話は別のタブに移りました。着信はここにも表示され、ここで応答できます。',
    useHere: 'このタブで電話を使う',
    handedOff: '電話のタブから {number} に発信します。',
  },
}
