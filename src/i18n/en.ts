export default {
  app: { title: 'Tsunagu' },
  registration: {
    registered: 'registered',
    connecting: 'connecting…',
    reconnecting: 'reconnecting…',
    unregistered: 'not registered',
    failed: 'registration failed',
  },
  notConfigured: {
    title: 'This phone has no SIP account yet',
    body: 'Open the phone with the provisioning link from your IT department (…?config=<url>).',
  },
  provisioning: {
    fetchFailed: 'Could not load the provisioning file {url}: {message}. The saved settings are kept.',
    invalid: 'The provisioning file {url} has errors; the saved settings are kept.',
    storageFailed: 'Settings could not be saved in this browser ({message}); they apply until the page is closed.',
  },
  dial: {
    label: 'Number',
    call: 'Call',
    clear: 'Delete last digit',
    notRegistered: 'Cannot call: the phone is not registered.',
  },
  call: {
    incoming: 'Incoming call',
    outgoing: 'Calling',
    active: 'Talking',
    answer: 'Answer',
    decline: 'Decline',
    hangup: 'Hang up',
    noCalls: 'No calls',
    anonymous: 'Anonymous',
  },
  popup: { title: 'Incoming call' },
  notifications: {
    enable: 'Enable notifications',
    why: 'Lets the phone alert you about incoming calls while you work in other tabs.',
    denied: 'Notifications are blocked for this site. Allow them in the browser’s site settings.',
  },
  audio: {
    locked: 'Click anywhere once so the ringtone can play.',
  },
  language: { label: 'Language', ja: '日本語', en: 'English' },
}
