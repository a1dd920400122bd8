/** Provisioning refused by the trust rules (deploy.json), and click-to-dial consent. */
export const en = {
  trust: {
    refused: 'The settings from {url} were refused: {why} Nothing was changed.',
    why: {
      scheme: 'only http:// and https:// addresses may provision this phone.',
      origin: '{origin} is not an origin IT allows (deploy.json, provisioning.origins).',
      'hash-off': 'settings in a link (#config=) are turned off for this phone (deploy.json, provisioning.hashConfig).',
      unsigned: 'this phone accepts only signed links (#config=…&sig=…), and this one is not signed.',
      'bad-signature': 'the link’s signature matches no key IT installed (deploy.json, provisioning.publicKeys).',
    },
    keptLocked: 'The settings from {url} are less trusted than the ones IT locked; these stayed as IT set them: {paths}',
    deployInvalid: 'The deployment file {url} cannot be used ({message}); the phone uses its strictest defaults.',
  },
  dialConsent: {
    title: 'Call this number?',
    body: 'A page asked the phone to call {number}.',
    from: 'Asked by {origin}',
    unknown: 'Asked by a page that did not say where it is',
    call: 'Call',
    cancel: 'Cancel',
  },
}

export const ja: typeof en = {
  trust: {
    refused: '{url} からの設定は受け付けませんでした: {why} 設定は何も変わっていません。',
    why: {
      scheme: 'この電話を設定できるのは http:// または https:// のアドレスだけです。',
      origin: '{origin} は IT 部門が許可した配信元ではありません（deploy.json の provisioning.origins）。',
      'hash-off': 'リンクに埋め込んだ設定（#config=）はこの電話では無効です（deploy.json の provisioning.hashConfig）。',
      unsigned: 'この電話は署名付きリンク（#config=…&sig=…）だけを受け付けますが、このリンクには署名がありません。',
      'bad-signature': 'リンクの署名が IT 部門の登録した鍵のどれとも一致しません（deploy.json の provisioning.publicKeys）。',
    },
    keptLocked: '{url} からの設定は IT 部門が固定した設定より信頼度が低いため、次の項目は IT 部門の設定のままです: {paths}',
    deployInvalid: '配備ファイル {url} を使えません（{message}）。最も厳しい既定値で動作します。',
  },
  dialConsent: {
    title: 'この番号に発信しますか？',
    body: 'あるページが {number} への発信を求めています。',
    from: '要求元: {origin}',
    unknown: '要求元のページは不明です',
    call: '発信',
    cancel: 'キャンセル',
  },
}
