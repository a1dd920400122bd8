/**
 * The CRM login dialog's texts. Loaded with the dialog (an async component, its local `useI18n`
 * scope), not with the first paint. Not a `*.messages.ts` file, so the eager glob in
 * `./index.ts` leaves it out; `typeof en` keeps the keys in step.
 */
const en = {
  login: {
    title: 'CRM login',
    subtitle: 'Agent account for the CRM integration',
    id: 'Agent ID',
    idRequired: 'Enter your agent ID',
    password: 'Password',
    remember: 'Remember the password in this browser',
    submit: 'Log in',
    later: 'Later',
    noAnswer: 'The login did not go through: the tab with the line changed meanwhile. Please try again.',
    failed: {
      'http-error': 'The CRM refused the login (HTTP {status}). Check ID and password.',
      'no-values': 'The CRM answered, but without a session. Check ID and password.',
      timeout: 'The CRM did not answer in time.',
      network: 'The CRM could not be reached (network or CORS).',
      'too-large': 'The CRM answered with more data than the phone reads (1 MB).',
      'not-text': 'The CRM answered with something that is not text (garbage or binary).',
      blocked: 'The browser blocked the CRM window.',
      'helper-not-installed': 'The Tsunagu helper is not installed.',
      'command-not-allowed': 'The helper does not allow this command.',
      'command-failed': 'The command failed.',
      aborted: 'The login was cancelled.',
      'internal-error': 'Internal error during the login.',
      'logged-out': 'Logged out.',
    },
  },
}

const ja: typeof en = {
  login: {
    title: 'CRM ログイン',
    subtitle: 'CRM 連携用のエージェントアカウント',
    id: 'エージェント ID',
    idRequired: 'エージェント ID を入力してください',
    password: 'パスワード',
    remember: 'このブラウザにパスワードを保存する',
    submit: 'ログイン',
    later: 'あとで',
    noAnswer: 'ログインできませんでした（その間に回線を持つタブが変わりました）。もう一度お試しください。',
    failed: {
      'http-error': 'CRM がログインを拒否しました (HTTP {status})。ID とパスワードを確認してください。',
      'no-values': 'CRM から応答がありましたが、セッションが得られませんでした。ID とパスワードを確認してください。',
      timeout: 'CRM が時間内に応答しませんでした。',
      network: 'CRM に接続できません（ネットワークまたは CORS）。',
      'too-large': 'CRM の応答が大きすぎます（電話機が読むのは 1 MB まで）。',
      'not-text': 'CRM の応答がテキストではありません（不正なバイトまたはバイナリ）。',
      blocked: 'ブラウザが CRM のウィンドウをブロックしました。',
      'helper-not-installed': 'Tsunagu ヘルパーがインストールされていません。',
      'command-not-allowed': 'ヘルパーがこのコマンドを許可していません。',
      'command-failed': 'コマンドが失敗しました。',
      aborted: 'ログインは中止されました。',
      'internal-error': 'ログイン中に内部エラーが発生しました。',
      'logged-out': 'ログアウトしました。',
    },
  },
}

export default { en, ja }
