/**
 * The provisioning document `npm start` serves for the demo agent: the SIP account on the
 * demo Kamailio and a custom CTI integration against the demo CRM. The same shape IT writes
 * (see README, "Provisioning").
 *
 * @param {{ wsUrl: string, domain: string, crmUrl: string, user?: string }} lab
 */
export function demoProvisioning({ wsUrl, domain, crmUrl, user = '1001' }) {
  return {
    version: 1,
    sip: { server: wsUrl, domain, user, password: '', displayName: `Agent ${user}` },
    popup: { size: 'standard', buttons: true, displaySeconds: 0, copyNumberOnClick: true, anonymousLabel: '非通知' },
  }
}
