import { describe, expect, it } from 'vitest'
import { deepMerge } from '@/settings/merge'
import { allMessages, preferredLocale } from './index'
import agentLogin from './agent-login'
import historyView from './history-view'
import resume from './resume'
import screens from './settings-screens'

/** What the app holds once the settings screens' texts are loaded too. */
function everyMessage() {
  const all = allMessages()
  return {
    en: deepMerge(deepMerge(deepMerge(deepMerge(all.en, screens.en), historyView.en), resume.en), agentLogin.en),
    ja: deepMerge(deepMerge(deepMerge(deepMerge(all.ja, screens.ja), historyView.ja), resume.ja), agentLogin.ja),
  }
}

/** Every key path of a message tree, e.g. `call.answer`. */
function paths(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix]
  return Object.entries(tree).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k))
}

describe('messages', () => {
  it('Japanese and English have exactly the same keys', () => {
    const { en, ja } = everyMessage()
    expect(paths(ja).sort()).toEqual(paths(en).sort())
  })

  it('no message is empty', () => {
    const { en, ja } = everyMessage()
    for (const tree of [en, ja]) {
      for (const path of paths(tree)) {
        const value = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], tree)
        expect(value, path).not.toBe('')
      }
    }
  })
})

describe('preferredLocale', () => {
  it.each([
    [['ja-JP', 'en-US'], 'ja'],
    [['ja'], 'ja'],
    [['en-US', 'ja'], 'en'],
    [['fr-FR', 'ja-JP'], 'ja'],
    [['fr-FR'], 'en'],
    [[], 'en'],
  ])('%j → %s', (languages, expected) => {
    expect(preferredLocale(languages)).toBe(expected)
  })
})
