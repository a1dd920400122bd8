export const en = {
  line: {
    busy: 'The phone is open in another tab of this browser: its calls show here too and you can answer them here; the voice is in that tab. If that tab closes, this one takes the line.',
    moved: 'The phone moved to another tab of this browser: its calls show here too and you can answer them here; the voice is in that tab.',
    useHere: 'Use the phone in this tab',
    handedOff: 'Calling {number} from the phone\'s tab.',
  },
}

export const ja: typeof en = {
  line: {
    busy: '電話はこのブラウザの別のタブで開いています。着信はこのタブにも表示され、ここから応答できます（通話の音声はそのタブで流れます）。そのタブを閉じると、このタブが回線を引き継ぎます。',
    moved: '電話はこのブラウザの別のタブに移りました。着信はこのタブにも表示され、ここから応答できます（通話の音声はそのタブで流れます）。',
    useHere: 'このタブで電話を使う',
    handedOff: '電話のタブから {number} に発信します。',
  },
}
