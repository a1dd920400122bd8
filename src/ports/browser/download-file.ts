import type { FileSaver } from '../ports'

/** Saves `text` as a file through the browser's download (an export the agent asked for). */
function downloadFile(name: string, text: string | Blob, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked after the click was handled; the download keeps its own copy.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

export const browserFileSaver: FileSaver = { save: downloadFile }
