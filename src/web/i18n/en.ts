/** English, the reference dictionary: every other language has exactly these keys. */
export const en = {
  loading: 'Loading…',
  'lazy.failed': 'Part of the app could not be loaded. Check the connection and reload the page.',
  'common.back': 'Back',
  'common.cancel': 'Cancel',
  'common.dismiss': 'Dismiss',

  'insecure.title': 'This address is not secure',
  'insecure.why':
    'Foyer encrypts every message inside this page, with the browser’s cryptography. Browsers only allow it on secure pages: over HTTPS, or on this very computer (localhost). This page was opened over plain HTTP on another address, so no key can be made here.',
  'insecure.what': 'What to do:',
  'insecure.https': 'Open Foyer over HTTPS:',
  'insecure.localhost':
    'Or, on the computer that runs the server, open http://localhost with its port.',
  'insecure.admin':
    'If you run this Foyer, turn on HTTPS (see the installation guide): nobody can use the web app without it from another device.',

  'welcome.title': 'Welcome to Foyer',
  'welcome.invite':
    'Foyer is your household’s private messenger. To join, open the invite link someone in the household sent you.',
  'welcome.link': 'Already have an account on another device? Link this browser to it.',
  'welcome.linkButton': 'Link this browser',

  'elsewhere.title': 'Foyer is open in another tab',
  'elsewhere.why':
    'Only one tab at a time can hold your keys, so that they stay consistent. Close the other tab, or use Foyer here instead.',
  'elsewhere.useHere': 'Use Foyer in this tab',

  'join.title': 'Join the household',
  'join.intro': 'Choose the name others will see and a passphrase for this browser.',
  'join.name': 'Your name',
  'join.nameHint': 'Lowercase letters, digits, dots, dashes or underscores (up to 32).',
  'join.nameRule': 'Use 1 to 32 lowercase letters, digits, “.”, “_” or “-”.',
  'join.passphrase': 'Passphrase',
  'join.passphraseHint': 'At least {min} characters. A few unrelated words are easy to remember.',
  'join.again': 'Passphrase again',
  'join.mismatch': 'The two passphrases differ.',
  'join.noRecovery':
    'The passphrase protects the keys kept in this browser. It never leaves this device and cannot be recovered: if you forget it, this browser’s history is lost and you will need a new invite.',
  'join.submit': 'Create my account',
  'join.working': 'Creating your keys…',

  'unlock.title': 'Unlock Foyer',
  'unlock.intro': 'Your keys and history are stored encrypted in this browser.',
  'unlock.passphrase': 'Passphrase',
  'unlock.submit': 'Unlock',
  'unlock.working': 'Unlocking…',

  'link.title': 'Link this browser',
  'link.intro':
    'This browser becomes another device of your account. Choose a passphrase for this browser; you will then approve it from a device already signed in.',
  'link.submit': 'Show the link code',
  'link.showTitle': 'Approve this browser',
  'link.showIntro':
    'On a device already signed in, open Devices and enter this code (or scan the QR code).',
  'link.codeLabel': 'Link code',
  'link.qrLabel': 'QR code of the link code',
  'link.waiting': 'Waiting for the approval…',

  'nav.sidebar': 'Conversations and menu',
  'nav.menu': 'Menu',
  'nav.devices': 'Devices',
  'nav.admin': 'Administration',
  'nav.settings': 'Settings',
  'nav.newChat': 'New chat',
  'nav.newGroup': 'New group',
  'nav.conversations': 'Conversations',

  'list.empty': 'No conversation yet. Start one with “New chat”.',
  'list.direct': 'One-to-one',
  'list.left': 'You left',
  'list.removed': 'No longer a member',
  'list.members_one': '{count} member',
  'list.members_other': '{count} members',
  'list.unread_one': '{count} unread message',
  'list.unread_other': '{count} unread messages',

  'home.title': 'Hello, {name}',
  'home.firstHint':
    'Start a conversation with someone in the household with “New chat”, or create a group.',
  'home.pick': 'Pick a conversation on the left.',
  'home.e2ee': 'Messages are end-to-end encrypted: the server at home cannot read them.',

  'chat.untitled': 'Untitled',
  'chat.gone': 'This conversation is not here any more.',
  'chat.e2ee': 'End-to-end encrypted',
  'chat.details': 'Members',
  'chat.safety': 'Safety number',
  'chat.history': 'Messages',
  'chat.empty': 'No message yet. Say hello!',
  'chat.typing': '{name} is typing…',
  'chat.removed': 'You are no longer a member of this conversation.',
  'chat.left':
    'You left this conversation. Its history stays here; nothing more can be sent or received.',
  'chat.message': 'Message',
  'chat.placeholder': 'Write a message',
  'chat.send': 'Send',
  'chat.retry': 'Retry',

  'state.pending': 'Waiting to be sent',
  'state.sent': 'Sent',
  'state.relayed': 'Reached their server',
  'state.delivered': 'Delivered',
  'state.read': 'Read',
  'state.failed': 'Not sent',
  'state.received': 'Received',

  'banner.offline': 'Offline. Foyer reconnects by itself.',
  'banner.offlineWaiting_one': 'Offline: {count} message will leave when the network returns.',
  'banner.offlineWaiting_other': 'Offline: {count} messages will leave when the network returns.',
  'banner.sending_one': 'Sending {count} message…',
  'banner.sending_other': 'Sending {count} messages…',
  'banner.identityChanged':
    'The safety number with {name} changed. Their messages are held until you decide.',
  'banner.review': 'Review',
  'banner.update': 'A new version of Foyer is ready.',
  'banner.updateNow': 'Update',

  'newChat.title': 'New chat',
  'newChat.intro': 'Choose someone in the household.',
  'newChat.alone': 'You are the only member so far. Ask an admin for an invite to send to others.',

  'newGroup.title': 'New group',
  'newGroup.name': 'Group name',
  'newGroup.members': 'Members',
  'newGroup.need': 'Give the group a name and choose at least one member.',
  'newGroup.create': 'Create the group',

  'group.title': 'Group',
  'group.you': '{name} (you)',
  'group.devices_one': '{count} device',
  'group.devices_other': '{count} devices',
  'group.remove': 'Remove',
  'group.removeWho': 'Remove {name} from the group',
  'group.addLegend': 'Add members',
  'group.add': 'Add',
  'group.leaveTitle': 'Leave',
  'group.leaveHint': 'You will stop receiving this group’s messages; its history stays here.',
  'group.leaveConfirm': 'Leave this group?',
  'group.leave': 'Leave the group',
  'group.permissionsTitle': 'Permissions',
  'group.whoAdds': 'Who may add members',
  'group.whoEdits': 'Who may edit the profile',
  'group.allowedAdmins': 'Admins only',
  'group.allowedMembers': 'Every member',
  'group.savePermissions': 'Save the permissions',
  'group.admin': 'Admin',
  'group.member': 'Member',
  'group.leaving': 'Leaving',
  'group.promote': 'Promote',
  'group.promoteWho': 'Promote {name} to admin',
  'group.demote': 'Demote',
  'group.demoteWho': 'Demote {name} from admin',
  'group.stepDown': 'Stop being admin',
  'group.voteBan': 'Vote to ban',
  'group.voteBanWho': 'Vote to ban {name}',
  'group.unvote': 'Withdraw vote',
  'group.unvoteWho': 'Withdraw vote about {name}',
  'group.banVotes_one': '{count} of {total} admins voted to ban ({needed} needed)',
  'group.banVotes_other': '{count} of {total} admins voted to ban ({needed} needed)',
  'group.unbanVotes_one': '{count} of {total} admins voted to unban ({needed} needed)',
  'group.unbanVotes_other': '{count} of {total} admins voted to unban ({needed} needed)',
  'group.devicesOf': 'Devices of {name}',
  'group.deviceOf': '{name}’s device {id}',
  'group.voteBanDeviceWho': 'Vote to ban the device {id} of {name}',
  'group.bannedTitle': 'Banned',
  'group.bannedHint':
    'Nobody can add them back until more than half of the admins vote to lift the ban.',
  'group.unban': 'Vote to unban',
  'group.unbanWho': 'Vote to unban {name}',
  'group.notAdmin': 'Only the group’s admins can change its members, roles and bans.',
  'group.rolesHint':
    'Admins add and remove members and vote on bans: a ban needs the votes of more than half of the admins.',
  'group.lastAdmin':
    'You are this group’s only admin: make someone else admin before leaving (a group always keeps an admin).',
  'group.confirmVoteBan':
    'Vote to ban {name}? With enough votes, they are removed from the group on all their devices.',

  'profile.heading': 'Group profile',
  'profile.edit': 'Edit the profile',
  'profile.name': 'Name',
  'profile.description': 'Description',
  'profile.picture': 'Picture',
  'profile.pictureHint': 'Made small on this device before it is sent, encrypted like messages.',
  'profile.pictureAlt': 'Picture of the group',
  'profile.removePicture': 'Remove the picture',
  'profile.save': 'Save',
  'profile.noDescription': 'No description.',
  'profile.badPicture': 'This file is not an image this browser can read.',
  'profile.onlyAdmins': 'Only the group’s admins can edit its profile.',

  'policy.admin_only': 'Only the group’s admins can do that.',
  'policy.last_admin': 'The group needs an admin: make someone else admin first, then try again.',
  'policy.remove_forbidden':
    'Only an admin can remove a member; an admin leaves on their own or is banned by vote.',
  'policy.add_forbidden': 'Only the group’s admins can add people to it.',
  'policy.banned':
    'That person or device is banned from this group: its admins must vote to lift the ban first.',
  'policy.self_ban': 'You cannot vote on your own ban.',
  'policy.profile': 'Only the group’s admins can edit its profile.',
  'policy.not_member': 'That person is not a member of this group.',

  'system.banned': '{target} was banned by the votes of {voters}.',
  'system.unbanned': 'The ban on {target} was lifted by the votes of {voters}.',
  'system.youBanned': 'You were removed from this group: banned by the votes of {voters}.',
  'chat.conflict':
    'This group refused a change that broke its rules, so this device stayed as it was; messages still reach the members who follow the rules. This clears by itself at the group’s next valid change. If it lasts, the server may be misbehaving: tell the household administrator.',

  'contact.title': 'Contact',
  'contact.hint':
    'Removing {name} as a contact removes your one-to-one conversation with them from all your devices. Blocking also hides what they send you, until you unblock them; they are not told.',
  'contact.remove': 'Remove contact',
  'contact.removeConfirm':
    'Remove {name} as a contact? Your one-to-one conversation with them goes from all your devices, history included.',
  'contact.block': 'Block',
  'contact.blockConfirm':
    'Block {name}? Your one-to-one conversation goes from all your devices, and nothing they send shows until you unblock them.',
  'contact.unblock': 'Unblock',
  'contact.unblockWho': 'Unblock {name}',
  'contact.blockedTitle': 'Blocked people',
  'contact.noneBlocked': 'You have blocked nobody.',
  'contact.isBlocked': 'You blocked this person: unblock them in the settings first.',

  'safety.title': 'Safety number with {name}',
  'safety.intro':
    'Compare these numbers with {name}, in person or by a call: if they match, nobody stands between you.',
  'safety.digitsLabel': 'Safety number',
  'safety.qrLabel': 'QR code of the safety number',
  'safety.verified': 'You verified {name}.',
  'safety.notVerified': 'Not verified yet.',
  'safety.mark': 'Mark as verified',
  'safety.unmark': 'Clear verification',
  'safety.changed':
    'The identity key of {name} changed. It happens when they reinstall Foyer, or if someone tries to impersonate them. Check with them before accepting.',
  'safety.accept': 'Accept the new key',
  'safety.refuse': 'Refuse',
  'safety.refused': 'Messages from {name}’s new key stay refused.',

  'devices.title': 'Devices',
  'devices.intro': 'The devices signed in to your account. Each has its own keys.',
  'devices.thisOne': 'This browser',
  'devices.other': 'Device',
  'devices.since': 'since {date}',
  'devices.revoke': 'Revoke',
  'devices.revokeWhich': 'Revoke device {id}',
  'devices.revokeConfirm': 'Revoke this device? It will lose access to every conversation.',
  'devices.revoked': 'The device was revoked.',
  'devices.linkTitle': 'Link a new device',
  'devices.linkIntro':
    'On the new device, choose “Link this browser” (or run foyer client link), then enter its code here.',
  'devices.code': 'Link code',
  'devices.approve': 'Approve',
  'devices.approving': 'Approving…',
  'devices.approved': 'The new device is linked and added to your conversations.',
  'devices.approvedPending':
    'The new device is approved; it joins your conversations as soon as it is online.',

  'admin.title': 'Administration',
  'admin.invites': 'Invites',
  'admin.asAdmin': 'Administrator invite',
  'admin.validFor': 'Valid for',
  'admin.days_one': '{count} day',
  'admin.days_other': '{count} days',
  'admin.create': 'Create an invite',
  'admin.created': 'Send this link to the person you invite. It works once.',
  'admin.link': 'Invite link',
  'admin.copy': 'Copy the link',
  'admin.copied': 'Copied',
  'admin.qrLabel': 'QR code of the invite link',
  'admin.once': 'The link is shown only now: the server keeps only a fingerprint of it.',
  'admin.inviteList': 'Recent invites',
  'admin.invite': 'Invite',
  'admin.inviteAdmin': 'Admin invite',
  'admin.used': 'used on {date}',
  'admin.expires': 'valid until {date}',
  'admin.revoke': 'Revoke',
  'admin.revokeInvite': 'Revoke invite {id}',
  'admin.users': 'Accounts',
  'admin.adminTag': 'admin',
  'admin.remove': 'Remove',
  'admin.removeWho': 'Remove the account of {name}',
  'admin.removeConfirm':
    'Remove the account of {name}? Their devices are revoked and the name is freed.',

  'settings.title': 'Settings',
  'settings.language': 'Language',
  'settings.languageLabel': 'Language of the app',
  'settings.notifications': 'Notifications',
  'settings.notificationsOn': 'Foyer notifies you of new messages while it is in the background.',
  'settings.notificationsEnable': 'Notify me of new messages',
  'settings.notificationsBlocked': 'Notifications are blocked in this browser’s settings',
  'settings.lockTitle': 'Lock',
  'settings.lockHint': 'Forget the keys in memory; the passphrase is needed to open Foyer again.',
  'settings.lock': 'Lock now',
  'settings.signOutTitle': 'Sign out of this browser',
  'settings.signOutWarning':
    'Signing out deletes this browser’s keys and history for good. Unless you have another device, you will need a new invite to come back, and this history cannot be restored. Your other devices keep listing this browser until you revoke it there.',
  'settings.signOut': 'Sign out…',
  'settings.signOutConfirm': 'Delete the keys and sign out',
  'settings.about': 'Signed in as {address}.',

  'notify.body': 'New message in {name}',

  'error.bad_request':
    'The server refused this request as malformed. Update the app (reload the page) and try again.',
  'error.payload_too_large': 'This is too large to send.',
  'error.invalid_name': 'This name is not valid.',
  'error.unauthenticated':
    'The server did not recognise this device. Reload the page to sign in again.',
  'error.bad_signature':
    'The server could not check this device’s signature. Reload the page and try again.',
  'error.forbidden': 'This is not allowed for your account.',
  'error.not_member': 'You are not a member of this conversation any more.',
  'error.account_disabled':
    'Your account is paused by the household administrator. Your conversations are kept; ask them to enable it again.',
  'error.device_revoked':
    'This browser was removed from your account on another device. Sign out of this browser, then link it again.',
  'error.forbidden_by_policy':
    'The group’s rules do not allow you to do that (ask one of its admins).',
  'error.federation_unavailable': 'This Foyer cannot reach people of another Foyer yet.',
  'error.federation_denied': 'The administrator of this Foyer does not allow that other Foyer.',
  'error.replayed': 'This request was already received once; nothing was done twice.',
  'error.peer_key_changed':
    'The other Foyer’s key changed since it was first contacted. Ask your administrator to check it.',
  'error.peer_unreachable': 'The other Foyer cannot be reached at the moment.',
  'error.not_found': 'Not found.',
  'error.invite_invalid':
    'This invite is not valid any more (used, expired or revoked). Ask for a new one.',
  'error.name_taken': 'This name is already taken. Choose another.',
  'error.device_exists': 'This device is already registered.',
  'error.instance_full': 'This Foyer has reached its number of accounts.',
  'error.limit_reached': 'A limit of this Foyer was reached (devices, invites or members).',
  'error.group_exists': 'This conversation already exists on the server.',
  'error.wrong_epoch': 'The conversation changed meanwhile. Try again.',
  'error.duplicate': 'This was already sent; it is not sent twice.',
  'error.no_key_package':
    'This person cannot be added yet: none of their devices is ready. Ask them to open Foyer once, then try again.',
  'error.mailbox_full':
    'The recipient’s mailbox on the server is full. The message will leave once they catch up.',
  'error.storage_full':
    'The server is out of space. Tell your administrator; the message will leave once there is room.',
  'error.in_use': 'The server’s data is in use by another server process.',
  'error.rate_limited': 'Too many attempts. Wait a moment and try again.',
  'error.usage': 'This action is not possible here.',
  'error.locked': 'Wrong passphrase. Nothing was changed; try again.',
  'error.identity_changed': 'A safety number changed: review it before writing.',
  'error.crypto_failed':
    'A message could not be decrypted or encrypted. Foyer will repair the conversation; if it persists, compare safety numbers.',
  'error.network': 'The server cannot be reached. Check the connection.',
  'error.bad_reply':
    'The server sent an answer this app does not understand. Reload the page; if it persists, the server may need an update.',
  'error.corrupt_store':
    'The data kept in this browser is damaged and cannot be read. Sign out of this browser and link it again from another device.',
  'error.internal': 'Something unexpected went wrong: {detail}',
  'error.other': 'Something went wrong: {detail}',
} as const;

export type Messages = Record<keyof typeof en, string>;
