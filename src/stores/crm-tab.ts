import { defineStore } from 'pinia'
import { computed } from 'vue'
import { usePorts } from '@/ports/ports'
import { usePopupStore } from './popup'

/**
 * Where a link into the CRM must point to reach the one CRM tab the accesses open: the same
 * window name the CTI ports use (never the phone's own), so the "open it yourself" link of a
 * blocked tab never adds a second CRM tab.
 */
export const useCrmTabStore = defineStore('crm-tab', () => {
  const ports = usePorts()
  const popup = usePopupStore()
  const linkTarget = computed(() => ports.crmTab.linkTarget(popup.crmTabName))
  return { linkTarget }
})
