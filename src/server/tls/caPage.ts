/**
 * The page, served over plain HTTP on the home network in `local` mode, from which household
 * devices download Foyer's certificate authority, with short per-platform instructions in
 * French and English. Plain HTTP is unavoidable here (the device does not trust Foyer yet),
 * so the page shows the authority's SHA-256 fingerprint for people to compare with the one
 * `foyer start` and `foyer doctor` print on the server.
 */

/** Paths of the plain-HTTP side in `local` mode. */
export const CA_PATHS = {
  page: '/ca',
  der: '/ca/foyer-ca.crt',
  pem: '/ca/foyer-ca.pem',
} as const;

/** Content types devices recognise as "a CA certificate to install". */
export const CA_TYPES = {
  der: 'application/x-x509-ca-cert',
  pem: 'application/x-pem-file',
} as const;

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

interface Texts {
  title: string;
  intro: string;
  fingerprint: string;
  download: string;
  pem: string;
  then: string;
  platforms: Array<[string, string]>;
}

const EN: Texts = {
  title: 'Trust this home’s Foyer',
  intro:
    'Foyer on this home network uses its own certificate authority. Install it once on each device, then open Foyer over HTTPS.',
  fingerprint:
    'Before installing, check that this SHA-256 fingerprint is the one shown on the server (foyer start, foyer doctor):',
  download: 'Download the certificate (foyer-ca.crt)',
  pem: 'PEM format (foyer-ca.pem)',
  then: 'Then open Foyer:',
  platforms: [
    [
      'Android',
      'Settings → Security and privacy → More security settings → Encryption and credentials → Install a certificate → CA certificate → choose foyer-ca.crt.',
    ],
    [
      'iPhone, iPad',
      'Open the download link in Safari and allow it. Settings → General → VPN and Device Management → Foyer → Install. Then Settings → General → About → Certificate Trust Settings → turn on the Foyer authority.',
    ],
    [
      'Windows',
      'Open foyer-ca.crt → Install Certificate → Current User → Place all certificates in: Trusted Root Certification Authorities → Finish. Firefox: Settings → Privacy and Security → Certificates → View Certificates → Authorities → Import.',
    ],
    [
      'macOS',
      'Open foyer-ca.crt (it goes into the login keychain) → double-click the Foyer authority in Keychain Access → Trust → When using this certificate: Always Trust.',
    ],
    [
      'Linux',
      'sudo cp foyer-ca.crt /usr/local/share/ca-certificates/ && sudo update-ca-certificates. Chromium and Firefox: Settings → Certificates → Authorities → Import foyer-ca.pem, trusted for websites.',
    ],
  ],
};

const FR: Texts = {
  title: 'Faire confiance au Foyer de cette maison',
  intro:
    'Foyer utilise sur ce réseau domestique sa propre autorité de certification. Installez-la une fois sur chaque appareil, puis ouvrez Foyer en HTTPS.',
  fingerprint:
    'Avant l’installation, vérifiez que cette empreinte SHA-256 est celle qu’affiche le serveur (foyer start, foyer doctor) :',
  download: 'Télécharger le certificat (foyer-ca.crt)',
  pem: 'Format PEM (foyer-ca.pem)',
  then: 'Ensuite, ouvrez Foyer :',
  platforms: [
    [
      'Android',
      'Paramètres → Sécurité et confidentialité → Autres paramètres de sécurité → Chiffrement et identifiants → Installer un certificat → Certificat CA → choisir foyer-ca.crt.',
    ],
    [
      'iPhone, iPad',
      'Ouvrez le lien de téléchargement dans Safari et autorisez-le. Réglages → Général → VPN et gestion de l’appareil → Foyer → Installer. Puis Réglages → Général → Informations → Réglages des certificats → activer l’autorité Foyer.',
    ],
    [
      'Windows',
      'Ouvrez foyer-ca.crt → Installer le certificat → Utilisateur actuel → Placer tous les certificats dans : Autorités de certification racines de confiance → Terminer. Firefox : Paramètres → Vie privée et sécurité → Certificats → Afficher les certificats → Autorités → Importer.',
    ],
    [
      'macOS',
      'Ouvrez foyer-ca.crt (il va dans le trousseau « session ») → double-cliquez l’autorité Foyer dans Trousseaux d’accès → Se fier → Lors de l’utilisation de ce certificat : Toujours approuver.',
    ],
    [
      'Linux',
      'sudo cp foyer-ca.crt /usr/local/share/ca-certificates/ && sudo update-ca-certificates. Chromium et Firefox : Paramètres → Certificats → Autorités → Importer foyer-ca.pem, approuvé pour les sites web.',
    ],
  ],
};

function section(lang: 'en' | 'fr', t: Texts, fingerprint: string, appUrl: string): string {
  const items = t.platforms
    .map(([name, how]) => `<li><strong>${escape(name)}</strong>: ${escape(how)}</li>`)
    .join('\n');
  return `<section lang="${lang}">
<h1>${escape(t.title)}</h1>
<p>${escape(t.intro)}</p>
<p>${escape(t.fingerprint)}</p>
<p><code id="fingerprint-${lang}">${escape(fingerprint)}</code></p>
<p><a href="${CA_PATHS.der}" download="foyer-ca.crt">${escape(t.download)}</a> · <a href="${CA_PATHS.pem}" download="foyer-ca.pem">${escape(t.pem)}</a></p>
<ul>
${items}
</ul>
<p>${escape(t.then)} <a href="${escape(appUrl)}">${escape(appUrl)}</a></p>
</section>`;
}

/**
 * The page, both languages, the reader's first (from Accept-Language).
 * `fingerprint` is the authority's SHA-256 fingerprint, `appUrl` the https:// public URL.
 */
export function caPageHtml(fingerprint: string, appUrl: string, acceptLanguage = ''): string {
  const frFirst = /^\s*fr\b/i.test(acceptLanguage);
  const first = frFirst
    ? section('fr', FR, fingerprint, appUrl)
    : section('en', EN, fingerprint, appUrl);
  const second = frFirst
    ? section('en', EN, fingerprint, appUrl)
    : section('fr', FR, fingerprint, appUrl);
  return `<!doctype html>
<html lang="${frFirst ? 'fr' : 'en'}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Foyer</title></head>
<body>
${first}
<hr>
${second}
</body>
</html>
`;
}
