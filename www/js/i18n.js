// Page texts of the self-check in Dutch, French and English.
//
// Only the page's own words live here: the start page, buttons, headings and the result texts.
// The questions, their hints, options and error texts are declared with the fields in the rule
// set and come from the engine's schema; the reasons for an outcome and what to do about each
// come from the decision and the rule set, in the same language, so the page never restates a
// rule or a field.

export const LANGS = ['nl', 'fr', 'en'];

/** Locale used to format money and dates for each page language. */
export const LOCALES = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-IE' };

/** Name of each language in that language, for the language switch. */
export const LANG_NAMES = { nl: 'Nederlands', fr: 'Français', en: 'English' };

export const TEXTS = {
  en: {
    service: 'Check if you can apply for a microcredit',
    skip: 'Skip to main content',
    languageNav: 'Language',
    back: 'Back',
    continue: 'Continue',
    optional: '(optional)',
    change: 'Change',
    notAnswered: 'Not answered',
    yes: 'Yes',
    no: 'No',
    errorPrefix: 'Error:',
    errorSummary: 'There is a problem',
    errorLabel: 'Error:',
    /** A missing answer, for a field whose declaration has no text of its own for it. */
    required: 'Answer the question: {label}',
    loading: 'The check is loading…',
    loadFailed: 'The check could not start in this browser. Try again with an up-to-date browser, or contact an advisor.',
    footer: 'This check runs entirely in your browser. Your answers are not sent anywhere.',
    start: {
      lead: 'Use this check to find out if you can probably apply for an Impulskrediet: a small business loan for people who want to start or grow a business and cannot easily borrow from a bank.',
      time: 'It takes about 5 minutes. You will answer questions about your business, the loan you need and your financial situation.',
      beforeTitle: 'Before you start',
      indicative: 'The result is indicative. It tells you what our rules would probably say about your application. A person always looks at your application and makes the decision.',
      privacy: 'Your answers stay in this browser. They are not sent to us or to anyone else, and they are deleted when you close this tab.',
      button: 'Start now',
    },
    check: {
      title: 'Check your answers',
      submitTitle: 'Now see your result',
      submitText: 'The result is indicative: a person makes the decision. Your answers stay in this browser.',
      button: 'See your result',
    },
    result: {
      eligible: { title: 'You can probably apply', text: 'Based on your answers, you meet the conditions for this loan.' },
      flagged: { title: 'You can probably apply', text: 'Based on your answers, you meet the conditions for this loan. An advisor will look at these points with you:' },
      review: { title: 'A person will need to look at your situation', text: 'Some of your answers need a closer look by an advisor before anyone can say whether you can apply. This is not a refusal.' },
      ineligible: { title: 'You are probably not eligible', text: 'Based on your answers, you probably cannot get this loan. This is not a decision: only a person can decide.' },
      reasonsTitle: 'Why',
      nextTitle: 'What you can do next',
      nextStep: 'What to do:',
      next: {
        eligible: 'Contact a microcredit advisor to start your application. Have your business plan ready if you have one.',
        flagged: 'Contact a microcredit advisor to start your application and talk about the points above.',
        review: 'Contact a microcredit advisor and explain your situation. They will tell you whether you can apply.',
        ineligible: 'An advisor can tell you about other ways to finance your business. You can also change your answers to see what would make a difference.',
      },
      instalmentTitle: 'Indicative monthly instalment',
      instalment: '{amount} a month for {months} months',
      rate: 'At an annual interest rate of {rate}. Total to repay: {total}.',
      instalmentNote: 'This is an estimate. The amounts in a real offer can differ.',
      skipped: 'You left some optional questions empty, so {count} checks could not be done. An advisor will ask about them.',
      rulesTitle: 'Rules used',
      rulesText: 'Rule set {product}, version {version}, in force from {from}, applied on {asOf}.',
      hashLabel: 'Fingerprint (SHA-256) of the rule set:',
      changeAnswers: 'Change your answers',
      startAgain: 'Start again',
    },
  },

  nl: {
    service: 'Controleer of je een microkrediet kunt aanvragen',
    skip: 'Naar de hoofdinhoud',
    languageNav: 'Taal',
    back: 'Terug',
    continue: 'Doorgaan',
    optional: '(niet verplicht)',
    change: 'Wijzigen',
    notAnswered: 'Niet beantwoord',
    yes: 'Ja',
    no: 'Nee',
    errorPrefix: 'Fout:',
    errorSummary: 'Er is een probleem',
    errorLabel: 'Fout:',
    required: 'Beantwoord de vraag: {label}',
    loading: 'De controle wordt geladen…',
    loadFailed: 'De controle kon niet starten in deze browser. Probeer opnieuw met een recente browser, of neem contact op met een adviseur.',
    footer: 'Deze controle werkt volledig in je browser. Je antwoorden worden nergens naartoe gestuurd.',
    start: {
      lead: 'Met deze controle zie je of je waarschijnlijk een Impulskrediet kunt aanvragen: een kleine lening voor wie een zaak wil starten of laten groeien en moeilijk bij een bank kan lenen.',
      time: 'Het duurt ongeveer 5 minuten. Je beantwoordt vragen over je zaak, de lening die je nodig hebt en je financiële situatie.',
      beforeTitle: 'Voor je begint',
      indicative: 'Het resultaat is een indicatie. Het zegt wat onze regels waarschijnlijk over je aanvraag zouden zeggen. Een medewerker bekijkt je aanvraag altijd en neemt de beslissing.',
      privacy: 'Je antwoorden blijven in deze browser. Ze worden niet naar ons of naar iemand anders gestuurd, en ze worden gewist wanneer je dit tabblad sluit.',
      button: 'Nu starten',
    },
    check: {
      title: 'Controleer je antwoorden',
      submitTitle: 'Bekijk nu je resultaat',
      submitText: 'Het resultaat is een indicatie: een medewerker neemt de beslissing. Je antwoorden blijven in deze browser.',
      button: 'Bekijk je resultaat',
    },
    result: {
      eligible: { title: 'Je kunt waarschijnlijk aanvragen', text: 'Volgens je antwoorden voldoe je aan de voorwaarden voor deze lening.' },
      flagged: { title: 'Je kunt waarschijnlijk aanvragen', text: 'Volgens je antwoorden voldoe je aan de voorwaarden voor deze lening. Een adviseur bekijkt deze punten met je:' },
      review: { title: 'Een medewerker moet je situatie bekijken', text: 'Sommige antwoorden moet een adviseur van dichterbij bekijken voor iemand kan zeggen of je kunt aanvragen. Dit is geen weigering.' },
      ineligible: { title: 'Je komt waarschijnlijk niet in aanmerking', text: 'Volgens je antwoorden kun je deze lening waarschijnlijk niet krijgen. Dit is geen beslissing: alleen een medewerker kan beslissen.' },
      reasonsTitle: 'Waarom',
      nextTitle: 'Wat je nu kunt doen',
      nextStep: 'Wat je kunt doen:',
      next: {
        eligible: 'Neem contact op met een adviseur microkrediet om je aanvraag te starten. Houd je ondernemingsplan klaar als je er een hebt.',
        flagged: 'Neem contact op met een adviseur microkrediet om je aanvraag te starten en de punten hierboven te bespreken.',
        review: 'Neem contact op met een adviseur microkrediet en leg je situatie uit. De adviseur zegt je of je kunt aanvragen.',
        ineligible: 'Een adviseur kan je vertellen welke andere manieren er zijn om je zaak te financieren. Je kunt ook je antwoorden wijzigen om te zien wat een verschil maakt.',
      },
      instalmentTitle: 'Indicatieve maandelijkse aflossing',
      instalment: '{amount} per maand gedurende {months} maanden',
      rate: 'Aan een jaarlijkse rentevoet van {rate}. Totaal terug te betalen: {total}.',
      instalmentNote: 'Dit is een schatting. De bedragen in een echt aanbod kunnen verschillen.',
      skipped: 'Je liet enkele niet-verplichte vragen leeg, daardoor konden {count} controles niet gebeuren. Een adviseur vraagt ernaar.',
      rulesTitle: 'Gebruikte regels',
      rulesText: 'Regelset {product}, versie {version}, geldig vanaf {from}, toegepast op {asOf}.',
      hashLabel: 'Vingerafdruk (SHA-256) van de regelset:',
      changeAnswers: 'Je antwoorden wijzigen',
      startAgain: 'Opnieuw beginnen',
    },
  },

  fr: {
    service: 'Vérifiez si vous pouvez demander un microcrédit',
    skip: 'Aller au contenu principal',
    languageNav: 'Langue',
    back: 'Retour',
    continue: 'Continuer',
    optional: '(facultatif)',
    change: 'Modifier',
    notAnswered: 'Pas de réponse',
    yes: 'Oui',
    no: 'Non',
    errorPrefix: 'Erreur :',
    errorSummary: 'Il y a un problème',
    errorLabel: 'Erreur :',
    required: 'Répondez à la question : {label}',
    loading: 'La vérification se charge…',
    loadFailed: 'La vérification n’a pas pu démarrer dans ce navigateur. Réessayez avec un navigateur à jour, ou contactez un conseiller.',
    footer: 'Cette vérification fonctionne entièrement dans votre navigateur. Vos réponses ne sont envoyées nulle part.',
    start: {
      lead: 'Cette vérification vous indique si vous pouvez probablement demander un Impulskrediet : un petit prêt pour les personnes qui veulent lancer ou développer une entreprise et qui obtiennent difficilement un crédit bancaire.',
      time: 'Cela prend environ 5 minutes. Vous répondez à des questions sur votre entreprise, le prêt dont vous avez besoin et votre situation financière.',
      beforeTitle: 'Avant de commencer',
      indicative: 'Le résultat est indicatif. Il dit ce que nos règles diraient probablement de votre demande. Une personne examine toujours votre demande et prend la décision.',
      privacy: 'Vos réponses restent dans ce navigateur. Elles ne sont envoyées ni à nous ni à personne d’autre, et elles sont effacées quand vous fermez cet onglet.',
      button: 'Commencer',
    },
    check: {
      title: 'Vérifiez vos réponses',
      submitTitle: 'Voyez maintenant votre résultat',
      submitText: 'Le résultat est indicatif : une personne prend la décision. Vos réponses restent dans ce navigateur.',
      button: 'Voir votre résultat',
    },
    result: {
      eligible: { title: 'Vous pouvez probablement faire une demande', text: 'D’après vos réponses, vous remplissez les conditions de ce prêt.' },
      flagged: { title: 'Vous pouvez probablement faire une demande', text: 'D’après vos réponses, vous remplissez les conditions de ce prêt. Un conseiller examinera ces points avec vous :' },
      review: { title: 'Une personne devra examiner votre situation', text: 'Certaines réponses doivent être examinées de plus près par un conseiller avant que l’on puisse dire si vous pouvez faire une demande. Ce n’est pas un refus.' },
      ineligible: { title: 'Vous n’êtes probablement pas admissible', text: 'D’après vos réponses, vous ne pouvez probablement pas obtenir ce prêt. Ce n’est pas une décision : seule une personne peut décider.' },
      reasonsTitle: 'Pourquoi',
      nextTitle: 'Ce que vous pouvez faire maintenant',
      nextStep: 'Que faire :',
      next: {
        eligible: 'Contactez un conseiller en microcrédit pour commencer votre demande. Préparez votre plan d’affaires si vous en avez un.',
        flagged: 'Contactez un conseiller en microcrédit pour commencer votre demande et parler des points ci-dessus.',
        review: 'Contactez un conseiller en microcrédit et expliquez votre situation. Il vous dira si vous pouvez faire une demande.',
        ineligible: 'Un conseiller peut vous parler d’autres façons de financer votre entreprise. Vous pouvez aussi modifier vos réponses pour voir ce qui ferait une différence.',
      },
      instalmentTitle: 'Mensualité indicative',
      instalment: '{amount} par mois pendant {months} mois',
      rate: 'À un taux annuel de {rate}. Total à rembourser : {total}.',
      instalmentNote: 'C’est une estimation. Les montants d’une offre réelle peuvent être différents.',
      skipped: 'Vous avez laissé des questions facultatives sans réponse, donc {count} vérifications n’ont pas pu être faites. Un conseiller vous posera ces questions.',
      rulesTitle: 'Règles utilisées',
      rulesText: 'Jeu de règles {product}, version {version}, en vigueur depuis le {from}, appliqué le {asOf}.',
      hashLabel: 'Empreinte (SHA-256) du jeu de règles :',
      changeAnswers: 'Modifier vos réponses',
      startAgain: 'Recommencer',
    },
  },
};

/** Fills `{name}` placeholders of a text. */
export function fill(text, params = {}) {
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
}
