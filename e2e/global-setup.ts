import { execFileSync } from 'node:child_process'

/** The tests run the production build, as IT deploys it. */
export default function globalSetup(): void {
  if (process.env.TSUNAGU_SKIP_BUILD === '1') return
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
}
