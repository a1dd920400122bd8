/**
 * The provisioning document `npm start` serves for the demo agent: the SIP account on the
 * demo Kamailio and a custom CTI integration against the demo CRM — the same shape IT
 * writes (README, "Provisioning"). The agent logs in as agent01 / pass01 on the login
 * screen (or pass `agent` to skip it).
 *
 * @param {{ wsUrl: string, domain: string, crmUrl: string, user?: string, agent?: { id: string, password: string } }} lab
 */
export function demoProvisioning({ wsUrl, domain, crmUrl, user = '1001', agent }) {
  return {
    version: 1,
    sip: { server: wsUrl, domain, user, password: '', displayName: `Agent ${user}` },
    popup: { size: 'standard', buttons: true, displaySeconds: 0, copyNumberOnClick: true, anonymousLabel: '非通知' },
    ...(agent ? { agent } : {}),
    // The demo CRM's 共有電話帳: its names show in the popup before the CRM search answers.
    phonebooks: { shared: `${crmUrl}/phonebook/shared.csv`, refreshMinutes: 60 },
    // Every answered call is recorded (WebM/Opus, both sides) and uploaded to the demo CRM (${crmUrl}/recordings).
    recording: { mode: 'auto', maxMegabytes: 200, keepLocal: true },
    cti: {
      target: 'custom',
      skipInternal: true,
      timeoutSeconds: 5,
      sessionKeepMinutes: 30,
      accesses: {
        auth: { method: 'get-internal', url: `${crmUrl}/login?userid={AID}&password={APW}`, format: '{SID}' },
        search: { method: 'get-internal', url: `${crmUrl}/search?tel={TEL}&sid={SID}`, format: '{NAME}{COMPANY}' },
        click: { method: 'get', url: `${crmUrl}/crm/customer?tel={TEL}` },
        ring: { method: 'get-internal', url: `${crmUrl}/event/ring?tel={TEL}&id={ID}&name={NAME}&telname={TELNAME}` },
        answer: { method: 'get', url: `${crmUrl}/crm/customer?tel={TEL}&id={ID}`, delaySeconds: 1 },
        hangup: { method: 'post-internal', url: `${crmUrl}/event/hangup?tel={TEL}&id={ID}&date={DATE-YYYY}-{DATE-MM}-{DATE-DD}`, onlyIfAnswered: true },
        // 履歴連携: every call's record lands in the demo CRM's list (${crmUrl}/calls), once.
        history: {
          method: 'post-internal',
          url: `${crmUrl}/calls?id={ID}&tel={REMOTE}&dir={DIRECTION}&result={RESULT}&start={START}&answered={ANSWERED}&end={END}&duration={DURATION}&recorded={RECORDED}&name={NAME}&company={COMPANY}`,
        },
        // 録音ファイル連携: the call's recording as multipart/form-data, listed at ${crmUrl}/recordings.
        recording: { method: 'post-internal', url: `${crmUrl}/recordings?id={ID}`, field: 'file', fields: { tel: '{REMOTE}', result: '{RESULT}', part: '{PART}' } },
      },
    },
  }
}
