/**
 * The window name the CRM tab is opened under. Never the phone's own tab name: opening a URL
 * into it would navigate the phone away. The accesses (`browser/cti.ts`) and the "open it
 * yourself" link of a blocked tab both use this, so they land in the same one CRM tab.
 */
export function crmTabTarget(tabName: string, ownName: string): string {
  return tabName && tabName !== ownName ? tabName : `${tabName || 'tsunagu-crm'}-crm`
}
