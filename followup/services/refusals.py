"""What the console refuses, and why, in the agent's words. One code per refusal: a page
that redirects names the code in its URL and shows the fixed text, so no URL can put words
on a page."""

from followup.rules.client_messages import MAX_SMS

REFUSALS = {
    "geen-telefoon": "Er staat geen telefoonnummer bij uw account. Vraag de beheerder.",
    "al-opgepakt": "Dit gesprek is al door een collega opgepakt.",
    "al-gelezen": "Dit antwoord is al door een collega gelezen.",
    "gedeeld-nummer": "Dit nummer hoort bij meer inwoners: u kunt alleen 'gelezen' kiezen.",
    "buiten-beltijd": "Het is nu buiten de beltijden. Er wordt niemand gebeld.",
    "niemand": "Er wacht nu niemand om gebeld te worden. Kijk straks nog eens.",
    "eerst-afronden": "Leg eerst vast hoe uw vorige gesprek ging.",
    "bij-collega": "Een collega werkt nu met deze inwoner. Er is niets vastgelegd.",
    "al-afgerond": "Dit gesprek is al afgerond. Er is niets dubbel vastgelegd.",
    "al-uitkomst": "Voor deze inwoner is al een uitkomst vastgelegd, misschien door een collega.",
    "niet-te-bellen": "Deze inwoner kunnen we niet bellen: er is geen bruikbaar nummer.",
    "leeg-bericht": "Het bericht is leeg. Kies een tekst of schrijf er een.",
    "te-lang-bericht": f"Het bericht is te lang: maximaal {MAX_SMS} tekens.",
    "geen-sms": "Deze inwoner kan geen sms krijgen: er is geen mobiel nummer.",
    "al-bellend": "U belt al. Wacht tot dit gesprek klaar is.",
    "geen-open-gesprek": "Er is geen gesprek dat nog wacht op afronding.",
    "andere-inwoner": "Dit formulier hoort niet bij deze inwoner. Open de kaart opnieuw.",
    "geen-zorg-rol": "Alleen medewerkers van het belteam en coördinatoren geven een zorgsignaal.",
    "geen-zorgsignaal": "Voor deze inwoner is geen zorgsignaal gegeven. Er is niets vastgelegd.",
    "niet-uw-zorg": "Alleen de gekozen collega, een coördinator of een beheerder legt de "
    "overdracht vast.",
    "bellen-gepauzeerd": "Bellen staat even stil: de coördinator heeft het gepauzeerd. "
    "Er wordt niemand gebeld.",
    "sms-gepauzeerd": "Sms'en staat even stil: de coördinator heeft het gepauzeerd. "
    "Er is geen sms gestuurd.",
}


class QueueRefusal(ValueError):
    """Not done, and nothing changed."""

    def __init__(self, code: str) -> None:
        super().__init__(REFUSALS[code])
        self.code = code
