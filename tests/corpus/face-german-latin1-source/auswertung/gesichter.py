# -*- coding: latin-1 -*-
# Gesichtsausdrücke der Teilnehmer während der Schulung auswerten (Prüfung läuft live)
from fer import FER


class Auswertung:
    """Wertet Einzelbilder aus; Ergebnisse werden pro Minute gemittelt."""

    def __init__(self):
        self.erkenner = FER(mtcnn=False)

    def bild(self, rahmen):
        # größtes Gesicht zuerst
        return self.erkenner.detect_emotions(rahmen)
