/** Français. */
import type { Messages } from './en.ts';

export const fr: Messages = {
  loading: 'Chargement…',
  'lazy.failed':
    'Une partie de l’application n’a pas pu être chargée. Vérifiez la connexion et rechargez la page.',
  'common.back': 'Retour',
  'common.cancel': 'Annuler',
  'common.dismiss': 'Fermer',

  'insecure.title': 'Cette adresse n’est pas sécurisée',
  'insecure.why':
    'Foyer chiffre chaque message dans cette page, avec la cryptographie du navigateur. Les navigateurs ne l’autorisent que sur des pages sécurisées : en HTTPS, ou sur cet ordinateur même (localhost). Cette page a été ouverte en HTTP simple sur une autre adresse : aucune clé ne peut être créée ici.',
  'insecure.what': 'Que faire :',
  'insecure.https': 'Ouvrez Foyer en HTTPS :',
  'insecure.localhost':
    'Ou, sur l’ordinateur qui fait tourner le serveur, ouvrez http://localhost avec son port.',
  'insecure.admin':
    'Si c’est vous qui gérez ce Foyer, activez HTTPS (voir le guide d’installation) : sans lui, personne ne peut utiliser l’application web depuis un autre appareil.',

  'welcome.title': 'Bienvenue dans Foyer',
  'welcome.invite':
    'Foyer est la messagerie privée de votre foyer. Pour la rejoindre, ouvrez le lien d’invitation qu’un membre vous a envoyé.',
  'welcome.link': 'Vous avez déjà un compte sur un autre appareil ? Reliez-y ce navigateur.',
  'welcome.linkButton': 'Relier ce navigateur',

  'elsewhere.title': 'Foyer est ouvert dans un autre onglet',
  'elsewhere.why':
    'Un seul onglet à la fois peut tenir vos clés, pour qu’elles restent cohérentes. Fermez l’autre onglet, ou utilisez Foyer ici.',
  'elsewhere.useHere': 'Utiliser Foyer dans cet onglet',

  'join.title': 'Rejoindre le foyer',
  'join.intro':
    'Choisissez le nom que les autres verront et une phrase de passe pour ce navigateur.',
  'join.name': 'Votre nom',
  'join.nameHint': 'Lettres minuscules, chiffres, points, tirets ou soulignés (32 au plus).',
  'join.nameRule': 'Utilisez de 1 à 32 lettres minuscules, chiffres, « . », « _ » ou « - ».',
  'join.passphrase': 'Phrase de passe',
  'join.passphraseHint':
    'Au moins {min} caractères. Quelques mots sans rapport se retiennent facilement.',
  'join.again': 'Phrase de passe, encore',
  'join.mismatch': 'Les deux phrases de passe diffèrent.',
  'join.noRecovery':
    'La phrase de passe protège les clés gardées dans ce navigateur. Elle ne quitte jamais cet appareil et ne peut pas être récupérée : si vous l’oubliez, l’historique de ce navigateur est perdu et il vous faudra une nouvelle invitation.',
  'join.submit': 'Créer mon compte',
  'join.working': 'Création de vos clés…',

  'unlock.title': 'Déverrouiller Foyer',
  'unlock.intro': 'Vos clés et votre historique sont chiffrés dans ce navigateur.',
  'unlock.passphrase': 'Phrase de passe',
  'unlock.submit': 'Déverrouiller',
  'unlock.working': 'Déverrouillage…',

  'link.title': 'Relier ce navigateur',
  'link.intro':
    'Ce navigateur devient un autre appareil de votre compte. Choisissez une phrase de passe pour ce navigateur ; vous l’approuverez ensuite depuis un appareil déjà connecté.',
  'link.submit': 'Afficher le code',
  'link.showTitle': 'Approuvez ce navigateur',
  'link.showIntro':
    'Sur un appareil déjà connecté, ouvrez Appareils et saisissez ce code (ou scannez le QR code).',
  'link.codeLabel': 'Code de liaison',
  'link.qrLabel': 'QR code du code de liaison',
  'link.waiting': 'En attente de l’approbation…',

  'nav.sidebar': 'Conversations et menu',
  'nav.menu': 'Menu',
  'nav.devices': 'Appareils',
  'nav.admin': 'Administration',
  'nav.settings': 'Réglages',
  'nav.newChat': 'Nouvelle discussion',
  'nav.newGroup': 'Nouveau groupe',
  'nav.conversations': 'Conversations',

  'list.empty':
    'Aucune conversation pour l’instant. Commencez-en une avec « Nouvelle discussion ».',
  'list.direct': 'En tête-à-tête',
  'list.left': 'Vous l’avez quittée',
  'list.removed': 'Vous n’en faites plus partie',
  'list.members_one': '{count} membre',
  'list.members_other': '{count} membres',
  'list.unread_one': '{count} message non lu',
  'list.unread_other': '{count} messages non lus',

  'home.title': 'Bonjour, {name}',
  'home.firstHint':
    'Commencez une discussion avec un membre du foyer avec « Nouvelle discussion », ou créez un groupe.',
  'home.pick': 'Choisissez une conversation à gauche.',
  'home.e2ee':
    'Les messages sont chiffrés de bout en bout : le serveur de la maison ne peut pas les lire.',

  'chat.untitled': 'Sans titre',
  'chat.gone': 'Cette conversation n’est plus là.',
  'chat.e2ee': 'Chiffré de bout en bout',
  'chat.details': 'Membres',
  'chat.safety': 'Numéro de sécurité',
  'chat.history': 'Messages',
  'chat.empty': 'Aucun message pour l’instant. Dites bonjour !',
  'chat.typing': '{name} écrit…',
  'chat.removed': 'Vous ne faites plus partie de cette conversation.',
  'chat.left':
    'Vous avez quitté cette conversation. Son historique reste ici ; plus rien ne peut y être envoyé ni reçu.',
  'chat.message': 'Message',
  'chat.placeholder': 'Écrire un message',
  'chat.send': 'Envoyer',
  'chat.retry': 'Réessayer',

  'state.pending': 'En attente d’envoi',
  'state.sent': 'Envoyé',
  'state.relayed': 'Arrivé sur leur serveur',
  'state.delivered': 'Distribué',
  'state.read': 'Lu',
  'state.failed': 'Non envoyé',
  'state.received': 'Reçu',

  'banner.offline': 'Hors ligne. Foyer se reconnecte tout seul.',
  'banner.offlineWaiting_one': 'Hors ligne : {count} message partira au retour du réseau.',
  'banner.offlineWaiting_other': 'Hors ligne : {count} messages partiront au retour du réseau.',
  'banner.sending_one': 'Envoi de {count} message…',
  'banner.sending_other': 'Envoi de {count} messages…',
  'banner.identityChanged':
    'Le numéro de sécurité avec {name} a changé. Ses messages sont retenus jusqu’à votre décision.',
  'banner.review': 'Examiner',
  'banner.update': 'Une nouvelle version de Foyer est prête.',
  'banner.updateNow': 'Mettre à jour',

  'newChat.title': 'Nouvelle discussion',
  'newChat.intro': 'Choisissez un membre du foyer.',
  'newChat.alone':
    'Vous êtes le seul membre pour l’instant. Demandez une invitation à un administrateur pour l’envoyer aux autres.',

  'newGroup.title': 'Nouveau groupe',
  'newGroup.name': 'Nom du groupe',
  'newGroup.members': 'Membres',
  'newGroup.need': 'Donnez un nom au groupe et choisissez au moins un membre.',
  'newGroup.create': 'Créer le groupe',

  'group.title': 'Groupe',
  'group.you': '{name} (vous)',
  'group.devices_one': '{count} appareil',
  'group.devices_other': '{count} appareils',
  'group.remove': 'Retirer',
  'group.removeWho': 'Retirer {name} du groupe',
  'group.addLegend': 'Ajouter des membres',
  'group.add': 'Ajouter',
  'group.leaveTitle': 'Quitter',
  'group.leaveHint': 'Vous ne recevrez plus les messages de ce groupe ; son historique reste ici.',
  'group.leaveConfirm': 'Quitter ce groupe ?',
  'group.leave': 'Quitter le groupe',
  'group.permissionsTitle': 'Autorisations',
  'group.whoAdds': 'Qui peut ajouter des membres',
  'group.whoEdits': 'Qui peut modifier le profil',
  'group.allowedAdmins': 'Les admins seulement',
  'group.allowedMembers': 'Tous les membres',
  'group.savePermissions': 'Enregistrer les autorisations',
  'group.admin': 'Admin',
  'group.member': 'Membre',
  'group.invited': 'Invité',
  'group.leaving': 'Sur le départ',
  'group.promote': 'Nommer admin',
  'group.promoteWho': 'Nommer admin : {name}',
  'group.demote': 'Retirer admin',
  'group.demoteWho': 'Retirer admin : {name}',
  'group.stepDown': 'Ne plus être admin',
  'group.voteBan': 'Voter le bannissement',
  'group.voteBanWho': 'Voter le bannissement de {name}',
  'group.unvote': 'Retirer mon vote',
  'group.unvoteWho': 'Retirer mon vote sur {name}',
  'group.banVotes_one': '{count} admin sur {total} a voté le bannissement ({needed} requis)',
  'group.banVotes_other': '{count} admins sur {total} ont voté le bannissement ({needed} requis)',
  'group.unbanVotes_one': '{count} admin sur {total} a voté la levée ({needed} requis)',
  'group.unbanVotes_other': '{count} admins sur {total} ont voté la levée ({needed} requis)',
  'group.devicesOf': 'Appareils de {name}',
  'group.deviceOf': 'l’appareil {id} de {name}',
  'group.voteBanDeviceWho': 'Voter le bannissement de l’appareil {id} de {name}',
  'group.bannedTitle': 'Bannis',
  'group.bannedHint':
    'Personne ne peut les rajouter tant que plus de la moitié des admins n’a pas voté la levée du bannissement.',
  'group.unban': 'Voter la levée',
  'group.unbanWho': 'Voter la levée du bannissement de {name}',
  'group.notAdmin':
    'Seuls les admins du groupe peuvent changer ses membres, ses rôles et ses bannissements.',
  'group.rolesHint':
    'Les admins ajoutent et retirent des membres et votent les bannissements : un bannissement demande les votes de plus de la moitié des admins.',
  'group.lastAdmin':
    'Vous êtes le seul admin de ce groupe : nommez quelqu’un d’autre admin avant de partir (un groupe garde toujours un admin).',
  'group.confirmVoteBan':
    'Voter le bannissement de {name} ? Avec assez de votes, cette personne est retirée du groupe sur tous ses appareils.',

  'profile.heading': 'Profil du groupe',
  'profile.edit': 'Modifier le profil',
  'profile.name': 'Nom',
  'profile.description': 'Description',
  'profile.picture': 'Image',
  'profile.pictureHint': 'Réduite sur cet appareil avant l’envoi, et chiffrée comme les messages.',
  'profile.pictureAlt': 'Image du groupe',
  'profile.removePicture': 'Retirer l’image',
  'profile.save': 'Enregistrer',
  'profile.noDescription': 'Pas de description.',
  'profile.badPicture': 'Ce fichier n’est pas une image que ce navigateur sait lire.',
  'profile.onlyAdmins': 'Seuls les admins du groupe peuvent modifier son profil.',

  'policy.admin_only': 'Seuls les admins du groupe peuvent faire cela.',
  'policy.last_admin':
    'Le groupe a besoin d’un admin : nommez d’abord quelqu’un d’autre admin, puis réessayez.',
  'policy.remove_forbidden':
    'Seul un admin peut retirer un membre ; un admin part de lui-même ou est banni par vote.',
  'policy.add_forbidden': 'Seuls les admins du groupe peuvent y ajouter des personnes.',
  'policy.banned':
    'Cette personne ou cet appareil est banni du groupe : ses admins doivent d’abord voter la levée du bannissement.',
  'policy.self_ban': 'Vous ne pouvez pas voter sur votre propre bannissement.',
  'policy.profile': 'Seuls les admins du groupe peuvent modifier son profil.',
  'policy.not_member': 'Cette personne ne fait pas partie du groupe.',

  'system.banned': '{target} a été banni par les votes de {voters}.',
  'system.unbanned': 'Le bannissement de {target} a été levé par les votes de {voters}.',
  'system.youBanned': 'Vous avez été retiré de ce groupe : banni par les votes de {voters}.',
  'chat.conflict':
    'Ce groupe a refusé un changement contraire à ses règles, et cet appareil est resté tel qu’il était ; les messages parviennent toujours aux membres qui respectent les règles. Cela disparaît de soi-même au prochain changement valide du groupe. Si cela dure, le serveur se comporte peut-être mal : prévenez l’administrateur du foyer.',

  'contact.title': 'Contact',
  'contact.hint':
    'Retirer {name} de vos contacts retire votre conversation en tête-à-tête de tous vos appareils. Le bloquer masque aussi ce qu’il vous envoie, jusqu’à ce que vous le débloquiez ; il n’en est pas averti.',
  'contact.remove': 'Retirer le contact',
  'contact.removeConfirm':
    'Retirer {name} de vos contacts ? Votre conversation en tête-à-tête disparaît de tous vos appareils, historique compris.',
  'contact.block': 'Bloquer',
  'contact.blockConfirm':
    'Bloquer {name} ? Votre conversation en tête-à-tête disparaît de tous vos appareils, et rien de ce qu’il envoie ne s’affiche jusqu’à ce que vous le débloquiez.',
  'contact.unblock': 'Débloquer',
  'contact.unblockWho': 'Débloquer {name}',
  'contact.blockedTitle': 'Personnes bloquées',
  'contact.noneBlocked': 'Vous n’avez bloqué personne.',
  'contact.isBlocked': 'Vous avez bloqué cette personne : débloquez-la d’abord dans les réglages.',

  'safety.title': 'Numéro de sécurité avec {name}',
  'safety.intro':
    'Comparez ces chiffres avec {name}, en personne ou par téléphone : s’ils concordent, personne ne s’interpose entre vous.',
  'safety.digitsLabel': 'Numéro de sécurité',
  'safety.qrLabel': 'QR code du numéro de sécurité',
  'safety.verified': 'Vous avez vérifié {name}.',
  'safety.notVerified': 'Pas encore vérifié.',
  'safety.mark': 'Marquer comme vérifié',
  'safety.unmark': 'Annuler la vérification',
  'safety.changed':
    'La clé d’identité de {name} a changé. Cela arrive quand Foyer est réinstallé, ou si quelqu’un tente de se faire passer pour cette personne. Vérifiez avec elle avant d’accepter.',
  'safety.accept': 'Accepter la nouvelle clé',
  'safety.refuse': 'Refuser',
  'safety.refused': 'Les messages de la nouvelle clé de {name} restent refusés.',

  'devices.title': 'Appareils',
  'devices.intro': 'Les appareils connectés à votre compte. Chacun a ses propres clés.',
  'devices.thisOne': 'Ce navigateur',
  'devices.other': 'Appareil',
  'devices.since': 'depuis le {date}',
  'devices.revoke': 'Révoquer',
  'devices.revokeWhich': 'Révoquer l’appareil {id}',
  'devices.revokeConfirm': 'Révoquer cet appareil ? Il perdra l’accès à toutes les conversations.',
  'devices.revoked': 'L’appareil a été révoqué.',
  'devices.linkTitle': 'Relier un nouvel appareil',
  'devices.linkIntro':
    'Sur le nouvel appareil, choisissez « Relier ce navigateur » (ou lancez foyer client link), puis saisissez son code ici.',
  'devices.code': 'Code de liaison',
  'devices.approve': 'Approuver',
  'devices.approving': 'Approbation…',
  'devices.approved': 'Le nouvel appareil est relié et ajouté à vos conversations.',
  'devices.approvedPending':
    'Le nouvel appareil est approuvé ; il rejoindra vos conversations dès qu’il sera en ligne.',

  'admin.title': 'Administration',
  'admin.invites': 'Invitations',
  'admin.asAdmin': 'Invitation d’administrateur',
  'admin.validFor': 'Valable',
  'admin.days_one': '{count} jour',
  'admin.days_other': '{count} jours',
  'admin.create': 'Créer une invitation',
  'admin.created': 'Envoyez ce lien à la personne invitée. Il ne sert qu’une fois.',
  'admin.link': 'Lien d’invitation',
  'admin.copy': 'Copier le lien',
  'admin.copied': 'Copié',
  'admin.qrLabel': 'QR code du lien d’invitation',
  'admin.once': 'Le lien n’est affiché que maintenant : le serveur n’en garde qu’une empreinte.',
  'admin.inviteList': 'Invitations récentes',
  'admin.invite': 'Invitation',
  'admin.inviteAdmin': 'Invitation admin',
  'admin.used': 'utilisée le {date}',
  'admin.expires': 'valable jusqu’au {date}',
  'admin.revoke': 'Révoquer',
  'admin.revokeInvite': 'Révoquer l’invitation {id}',
  'admin.users': 'Comptes',
  'admin.adminTag': 'admin',
  'admin.remove': 'Supprimer',
  'admin.removeWho': 'Supprimer le compte de {name}',
  'admin.removeConfirm':
    'Supprimer le compte de {name} ? Ses appareils sont révoqués et le nom est libéré.',

  'settings.title': 'Réglages',
  'settings.language': 'Langue',
  'settings.languageLabel': 'Langue de l’application',
  'settings.notifications': 'Notifications',
  'settings.notificationsOn':
    'Foyer vous signale les nouveaux messages quand il est en arrière-plan.',
  'settings.notificationsEnable': 'Me signaler les nouveaux messages',
  'settings.notificationsBlocked':
    'Les notifications sont bloquées dans les réglages du navigateur',
  'settings.lockTitle': 'Verrouiller',
  'settings.lockHint':
    'Oublier les clés en mémoire ; la phrase de passe sera demandée pour rouvrir Foyer.',
  'settings.lock': 'Verrouiller maintenant',
  'settings.signOutTitle': 'Se déconnecter de ce navigateur',
  'settings.signOutWarning':
    'Se déconnecter efface pour de bon les clés et l’historique de ce navigateur. Sans autre appareil, il vous faudra une nouvelle invitation pour revenir, et cet historique ne pourra pas être restauré. Vos autres appareils continuent d’afficher ce navigateur jusqu’à ce que vous l’y révoquiez.',
  'settings.signOut': 'Se déconnecter…',
  'settings.signOutConfirm': 'Effacer les clés et se déconnecter',
  'settings.about': 'Connecté en tant que {address}.',

  'notify.body': 'Nouveau message dans {name}',

  'error.bad_request':
    'Le serveur a refusé cette demande comme mal formée. Mettez l’app à jour (rechargez la page) et réessayez.',
  'error.payload_too_large': 'C’est trop volumineux pour être envoyé.',
  'error.invalid_name': 'Ce nom n’est pas valable.',
  'error.unauthenticated':
    'Le serveur n’a pas reconnu cet appareil. Rechargez la page pour vous reconnecter.',
  'error.bad_signature':
    'Le serveur n’a pas pu vérifier la signature de cet appareil. Rechargez la page et réessayez.',
  'error.forbidden': 'Ce n’est pas permis pour votre compte.',
  'error.not_member': 'Vous n’êtes plus membre de cette conversation.',
  'error.account_disabled':
    'Votre compte est suspendu par l’administrateur du foyer. Vos conversations sont conservées ; demandez-lui de le réactiver.',
  'error.device_revoked':
    'Ce navigateur a été retiré de votre compte depuis un autre appareil. Déconnectez ce navigateur, puis associez-le de nouveau.',
  'error.forbidden_by_policy':
    'Les règles du groupe ne vous le permettent pas (demandez à l’un de ses administrateurs).',
  'error.federation_unavailable':
    'Ce Foyer ne peut pas encore joindre les personnes d’un autre Foyer.',
  'error.federation_denied': 'L’administrateur de ce Foyer n’autorise pas cet autre Foyer.',
  'error.replayed': 'Cette demande a déjà été reçue une fois ; rien n’a été fait deux fois.',
  'error.peer_key_changed':
    'La clé de l’autre Foyer a changé depuis le premier contact. Demandez à votre administrateur de la vérifier.',
  'error.peer_unreachable': 'L’autre Foyer est injoignable pour le moment.',
  'error.not_found': 'Introuvable.',
  'error.invite_invalid':
    'Cette invitation n’est plus valable (utilisée, expirée ou révoquée). Demandez-en une nouvelle.',
  'error.name_taken': 'Ce nom est déjà pris. Choisissez-en un autre.',
  'error.device_exists': 'Cet appareil est déjà enregistré.',
  'error.instance_full': 'Ce Foyer a atteint son nombre de comptes.',
  'error.limit_reached': 'Une limite de ce Foyer est atteinte (appareils, invitations ou membres).',
  'error.group_exists': 'Cette conversation existe déjà sur le serveur.',
  'error.wrong_epoch': 'La conversation a changé entre-temps. Réessayez.',
  'error.duplicate': 'C’était déjà envoyé ; ce n’est pas envoyé deux fois.',
  'error.no_key_package':
    'Cette personne ne peut pas encore être ajoutée : aucun de ses appareils n’est prêt. Demandez-lui d’ouvrir Foyer une fois, puis réessayez.',
  'error.mailbox_full':
    'La boîte du destinataire sur le serveur est pleine. Le message partira dès qu’il aura rattrapé son retard.',
  'error.storage_full':
    'Le serveur manque de place. Prévenez votre administrateur ; le message partira dès qu’il y aura de la place.',
  'error.in_use': 'Les données du serveur sont utilisées par un autre processus serveur.',
  'error.rate_limited': 'Trop de tentatives. Patientez un instant et réessayez.',
  'error.usage': 'Cette action n’est pas possible ici.',
  'error.locked': 'Phrase de passe incorrecte. Rien n’a été modifié ; réessayez.',
  'error.identity_changed': 'Un numéro de sécurité a changé : examinez-le avant d’écrire.',
  'error.crypto_failed':
    'Un message n’a pas pu être chiffré ou déchiffré. Foyer va réparer la conversation ; si cela persiste, comparez les numéros de sécurité.',
  'error.network': 'Le serveur est injoignable. Vérifiez la connexion.',
  'error.bad_reply':
    'Le serveur a envoyé une réponse que cette app ne comprend pas. Rechargez la page ; si cela persiste, le serveur doit peut-être être mis à jour.',
  'error.corrupt_store':
    'Les données conservées dans ce navigateur sont abîmées et illisibles. Déconnectez ce navigateur et associez-le de nouveau depuis un autre appareil.',
  'error.internal': 'Un problème inattendu est survenu : {detail}',
  'error.other': 'Un problème est survenu : {detail}',
};
