#!/usr/bin/env python
"""Synthetic public-consultation responses, for benchmarks of the consultation analysis (issue 5).

The question the respondents answer: "Do you support the proposed changes to our content-moderation policy?"
Every row is composed from sentence templates, synonyms and filler around one of twelve planted themes
(THEMES), in English, German, French, Spanish or Portuguese (weights 55/15/12/10/8), for or against the proposal
(or unclear). On top of the ordinary answers the stream plants what a real consultation brings: ~5% exact
duplicates (case and whitespace changed), ~5% near duplicates (small edits), 3-5 organised campaigns (each
0.5-3% of the rows, near-identical texts) and ~0.2% bad rows (empty text, text over 10,000 characters, a bad email).

The output is written row by row in constant memory (XLSX through openpyxl's write-only mode) and is the same for
the same --rows and --seed. --truth writes what was planted in each row (theme, second theme, stance, language,
kind, duplicate group) for measuring discovery and assignment quality.

    .venv/bin/python benchmarks/consultation_data.py --rows 100000 --format csv --out /tmp/consultation.csv
    .venv/bin/python benchmarks/consultation_data.py --rows 1000000 --format jsonl --out /tmp/c.jsonl --seed 3
    .venv/bin/python benchmarks/consultation_data.py --rows 10000 --format xlsx --out /tmp/c.xlsx --truth /tmp/t.csv
    .venv/bin/python benchmarks/consultation_data.py --check       # self-test: proportions, determinism, formats

From Python: ``from consultation_data import generate`` (with benchmarks/ on sys.path) yields one dict per row
with the COLUMNS and the TRUTH_COLUMNS.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator

COLUMNS = ["respondent_id", "response", "email", "consent", "language", "receipt_code", "region"]
TRUTH_COLUMNS = [
    "respondent_id",
    "true_theme",
    "true_second_theme",
    "true_stance",
    "true_language",
    "true_kind",
    "true_group",
]

FOR, AGAINST, UNCLEAR = "for", "against", "unclear"  # as rightsloop.consultations.analysis.stance
NO_THEME = "none"  # generic answers ("No comment", "Good.") that carry no theme

LANGUAGES = ["en", "de", "fr", "es", "pt"]
LANGUAGE_WEIGHTS = [55, 15, 12, 10, 8]

# Kinds of row, in the order their probabilities are tested.
ORIGINAL, EXACT, NEAR, CAMPAIGN = "original", "exact_duplicate", "near_duplicate", "campaign"
BAD_EMPTY, BAD_LONG, BAD_EMAIL = "bad_empty", "bad_long", "bad_email"
EXACT_SHARE, NEAR_SHARE, BAD_SHARE, GENERIC_SHARE = 0.05, 0.05, 0.002, 0.03
EMAIL_SHARE, MALFORMED_EMAIL_SHARE, RECEIPT_SHARE, LANGUAGE_GIVEN_SHARE = 0.40, 0.04, 0.30, 0.35
SECOND_THEME_SHARE = 0.12
RECENT = 4096  # originals kept to copy duplicates from (constant memory)

# ---------------------------------------------------------------------------------------------------------------
# Vocabulary. Per theme and language: terms (noun phrases that work after "about"/"pour"/"para"/"sobre" and in
# German after "Thema"), claims for the proposal and claims against it.
# ---------------------------------------------------------------------------------------------------------------

THEMES: dict[str, dict[str, dict[str, list[str]]]] = {
    "privacy": {
        "en": {
            "terms": ["privacy", "my private messages", "personal data", "user privacy", "the privacy of users",
                      "private conversations"],
            "for": ["scanning is limited to public posts", "private messages stay private",
                    "moderators will no longer read direct messages"],
            "against": ["moderators could read private messages", "scanning private chats is surveillance",
                        "nobody asked for consent to analyse personal data"],
        },
        "de": {
            "terms": ["Datenschutz", "Privatsphäre", "private Nachrichten", "persönliche Daten",
                      "Privatsphäre der Nutzer"],
            "for": ["private Nachrichten bleiben privat", "nur öffentliche Beiträge werden geprüft",
                    "Moderatoren lesen keine Direktnachrichten mehr"],
            "against": ["Moderatoren könnten private Nachrichten lesen", "das Scannen privater Chats ist Überwachung",
                        "niemand hat der Auswertung persönlicher Daten zugestimmt"],
        },
        "fr": {
            "terms": ["la vie privée", "les messages privés", "les données personnelles", "la confidentialité",
                      "la protection des données"],
            "for": ["les messages privés restent privés", "seules les publications publiques sont analysées",
                    "les modérateurs ne liront plus les messages directs"],
            "against": ["les modérateurs pourraient lire les messages privés",
                        "analyser les conversations privées est de la surveillance",
                        "personne n'a consenti à l'analyse de ses données personnelles"],
        },
        "es": {
            "terms": ["la privacidad", "los mensajes privados", "los datos personales", "la intimidad de los usuarios",
                      "la protección de datos"],
            "for": ["los mensajes privados siguen siendo privados", "solo se revisan las publicaciones públicas",
                    "los moderadores ya no leerán los mensajes directos"],
            "against": ["los moderadores podrían leer los mensajes privados",
                        "escanear chats privados es vigilancia",
                        "nadie dio su consentimiento para analizar sus datos personales"],
        },
        "pt": {
            "terms": ["a privacidade", "as mensagens privadas", "os dados pessoais", "a proteção de dados",
                      "a intimidade dos usuários"],
            "for": ["as mensagens privadas continuam privadas", "só as publicações públicas são analisadas",
                    "os moderadores deixam de ler mensagens diretas"],
            "against": ["os moderadores poderiam ler mensagens privadas", "escanear conversas privadas é vigilância",
                        "ninguém consentiu com a análise dos dados pessoais"],
        },
    },
    "data_retention": {
        "en": {
            "terms": ["data retention", "how long reports are stored", "the retention period", "deleted posts",
                      "storing evidence for years", "old moderation records"],
            "for": ["deleted content is erased after ninety days", "reports are kept only as long as needed",
                    "a fixed retention period is finally defined"],
            "against": ["deleted posts are kept for five years", "storing moderation records forever is excessive",
                        "there is no clear deletion deadline for reports"],
        },
        "de": {
            "terms": ["Speicherdauer", "Aufbewahrungsfristen", "gelöschte Beiträge", "Löschfristen",
                      "Vorratsdatenspeicherung"],
            "for": ["gelöschte Inhalte werden nach neunzig Tagen entfernt",
                    "Meldungen werden nur so lange wie nötig gespeichert",
                    "es gibt endlich eine feste Löschfrist"],
            "against": ["gelöschte Beiträge werden fünf Jahre lang gespeichert",
                        "Moderationsdaten für immer aufzubewahren ist übertrieben",
                        "es gibt keine klare Löschfrist für Meldungen"],
        },
        "fr": {
            "terms": ["la conservation des données", "la durée de conservation", "les publications supprimées",
                      "l'archivage des signalements", "les délais de suppression"],
            "for": ["les contenus supprimés sont effacés après quatre-vingt-dix jours",
                    "les signalements ne sont gardés que le temps nécessaire",
                    "une durée de conservation claire est enfin fixée"],
            "against": ["les publications supprimées sont conservées cinq ans",
                        "garder les dossiers de modération pour toujours est excessif",
                        "aucun délai de suppression n'est prévu pour les signalements"],
        },
        "es": {
            "terms": ["la conservación de datos", "el plazo de conservación", "las publicaciones borradas",
                      "el archivo de denuncias", "los plazos de borrado"],
            "for": ["el contenido borrado se elimina a los noventa días",
                    "las denuncias se guardan solo el tiempo necesario",
                    "por fin hay un plazo de conservación claro"],
            "against": ["las publicaciones borradas se guardan cinco años",
                        "guardar los registros de moderación para siempre es excesivo",
                        "no hay un plazo claro para borrar las denuncias"],
        },
        "pt": {
            "terms": ["a retenção de dados", "o prazo de armazenamento", "as publicações apagadas",
                      "o arquivo de denúncias", "os prazos de exclusão"],
            "for": ["o conteúdo apagado é eliminado após noventa dias",
                    "as denúncias são guardadas só pelo tempo necessário",
                    "finalmente existe um prazo de retenção claro"],
            "against": ["as publicações apagadas ficam guardadas cinco anos",
                        "guardar registros de moderação para sempre é excessivo",
                        "não há prazo claro para apagar as denúncias"],
        },
    },
    "appeals": {
        "en": {
            "terms": ["the appeals process", "appeals", "the right to appeal", "account suspensions",
                      "wrongly removed posts", "reinstating accounts"],
            "for": ["every removal can now be appealed", "a human reviews each appeal within a week",
                    "suspended users get an explanation and a way to contest it"],
            "against": ["there is still no real way to appeal a ban", "appeals take months and nobody answers",
                        "my account was suspended and the appeal was ignored"],
        },
        "de": {
            "terms": ["Widerspruchsverfahren", "Beschwerdemöglichkeiten", "Kontosperrungen",
                      "zu Unrecht gelöschte Beiträge",
                      "Einspruchsrecht"],
            "for": ["jede Löschung kann jetzt angefochten werden",
                    "ein Mensch prüft jeden Widerspruch innerhalb einer Woche",
                    "gesperrte Nutzer bekommen eine Begründung und können widersprechen"],
            "against": ["es gibt immer noch keinen echten Widerspruch gegen eine Sperre",
                        "Beschwerden dauern Monate und niemand antwortet",
                        "mein Konto wurde gesperrt und mein Einspruch ignoriert"],
        },
        "fr": {
            "terms": ["la procédure d'appel", "les recours", "le droit de contester", "les suspensions de compte",
                      "les publications retirées à tort"],
            "for": ["chaque suppression peut désormais être contestée",
                    "un humain examine chaque recours en une semaine",
                    "les comptes suspendus reçoivent une explication et un recours"],
            "against": ["il n'existe toujours aucun vrai recours contre une suspension",
                        "les recours prennent des mois sans réponse",
                        "mon compte a été suspendu et mon recours ignoré"],
        },
        "es": {
            "terms": ["el proceso de apelación", "las apelaciones", "el derecho a reclamar",
                      "las suspensiones de cuentas", "las publicaciones retiradas por error"],
            "for": ["cada eliminación se puede apelar", "una persona revisa cada apelación en una semana",
                    "las cuentas suspendidas reciben una explicación y pueden reclamar"],
            "against": ["sigue sin haber una forma real de apelar un bloqueo",
                        "las apelaciones tardan meses y nadie responde",
                        "suspendieron mi cuenta e ignoraron mi apelación"],
        },
        "pt": {
            "terms": ["o processo de recurso", "os recursos", "o direito de contestar", "as suspensões de conta",
                      "as publicações removidas por engano"],
            "for": ["toda remoção pode ser contestada", "uma pessoa analisa cada recurso em uma semana",
                    "contas suspensas recebem uma explicação e podem recorrer"],
            "against": ["continua sem haver um recurso real contra o banimento",
                        "os recursos demoram meses e ninguém responde",
                        "minha conta foi suspensa e o recurso foi ignorado"],
        },
    },
    "harassment": {
        "en": {
            "terms": ["harassment", "online abuse", "hate speech", "bullying", "threats against women",
                      "coordinated harassment campaigns"],
            "for": ["abusive accounts will be removed faster", "victims of harassment are finally protected",
                    "hate speech reports get a response within a day"],
            "against": ["harassers will simply create new accounts", "hate speech will stay online even longer",
                        "victims still have to report every single abusive message"],
        },
        "de": {
            "terms": ["Belästigung", "Hassrede", "Mobbing", "Beleidigungen", "Drohungen gegen Frauen", "Hetze"],
            "for": ["beleidigende Konten werden schneller entfernt", "Opfer von Belästigung werden endlich geschützt",
                    "Meldungen über Hassrede werden innerhalb eines Tages bearbeitet"],
            "against": ["Täter legen einfach neue Konten an", "Hassrede bleibt noch länger online",
                        "Betroffene müssen weiterhin jede einzelne Nachricht melden"],
        },
        "fr": {
            "terms": ["le harcèlement", "les discours de haine", "les insultes", "le cyberharcèlement",
                      "les menaces contre les femmes"],
            "for": ["les comptes abusifs seront supprimés plus vite",
                    "les victimes de harcèlement sont enfin protégées",
                    "les signalements de haine reçoivent une réponse en un jour"],
            "against": ["les harceleurs vont simplement créer de nouveaux comptes",
                        "les discours de haine resteront en ligne encore plus longtemps",
                        "les victimes doivent encore signaler chaque message"],
        },
        "es": {
            "terms": ["el acoso", "el discurso de odio", "los insultos", "el ciberacoso",
                      "las amenazas contra mujeres"],
            "for": ["las cuentas abusivas se eliminarán más rápido", "por fin se protege a las víctimas de acoso",
                    "las denuncias de odio reciben respuesta en un día"],
            "against": ["los acosadores simplemente abrirán cuentas nuevas",
                        "el discurso de odio seguirá en línea todavía más tiempo",
                        "las víctimas siguen teniendo que denunciar cada mensaje"],
        },
        "pt": {
            "terms": ["o assédio", "o discurso de ódio", "os insultos", "o cyberbullying",
                      "as ameaças contra mulheres"],
            "for": ["contas abusivas serão removidas mais rápido", "as vítimas de assédio finalmente são protegidas",
                    "denúncias de ódio recebem resposta em um dia"],
            "against": ["os agressores vão apenas criar contas novas",
                        "o discurso de ódio vai ficar online ainda mais tempo",
                        "as vítimas ainda precisam denunciar cada mensagem"],
        },
    },
    "misinformation": {
        "en": {
            "terms": ["misinformation", "fake news", "false health claims", "election disinformation",
                      "fact-checking", "conspiracy theories"],
            "for": ["false health claims will carry a warning label", "fact-checkers get a real role",
                    "election disinformation will be slowed down"],
            "against": ["the company decides what counts as true", "fact-checking labels will silence debate",
                        "fake news will keep spreading while honest posts get flagged"],
        },
        "de": {
            "terms": ["Desinformation", "Falschmeldungen", "Fake News", "Faktenchecks", "Verschwörungstheorien"],
            "for": ["falsche Gesundheitsbehauptungen bekommen einen Warnhinweis",
                    "Faktenprüfer bekommen eine echte Rolle",
                    "Wahlmanipulation durch Falschmeldungen wird gebremst"],
            "against": ["das Unternehmen entscheidet, was wahr ist", "Faktencheck-Hinweise würgen Debatten ab",
                        "Fake News verbreiten sich weiter, während ehrliche Beiträge markiert werden"],
        },
        "fr": {
            "terms": ["la désinformation", "les fausses nouvelles", "les infox", "la vérification des faits",
                      "les théories du complot"],
            "for": ["les fausses affirmations sur la santé porteront un avertissement",
                    "les vérificateurs de faits ont enfin un vrai rôle",
                    "la désinformation électorale sera freinée"],
            "against": ["l'entreprise décide de ce qui est vrai",
                        "les étiquettes de vérification vont étouffer le débat",
                        "les fausses nouvelles continueront pendant que les messages honnêtes sont signalés"],
        },
        "es": {
            "terms": ["la desinformación", "las noticias falsas", "los bulos", "la verificación de datos",
                      "las teorías conspirativas"],
            "for": ["los bulos sobre salud llevarán una advertencia", "los verificadores tendrán un papel real",
                    "la desinformación electoral se frenará"],
            "against": ["la empresa decide qué es verdad", "las etiquetas de verificación silenciarán el debate",
                        "los bulos seguirán circulando mientras se marcan publicaciones honestas"],
        },
        "pt": {
            "terms": ["a desinformação", "as notícias falsas", "as fake news", "a checagem de fatos",
                      "as teorias da conspiração"],
            "for": ["alegações falsas sobre saúde terão um aviso", "os checadores de fatos ganham um papel real",
                    "a desinformação eleitoral será freada"],
            "against": ["a empresa decide o que é verdade", "os rótulos de checagem vão calar o debate",
                        "as fake news continuam enquanto posts honestos são marcados"],
        },
    },
    "child_safety": {
        "en": {
            "terms": ["children's safety", "child protection", "minors", "young users", "age verification",
                      "grooming"],
            "for": ["children are better protected from grooming", "accounts of minors are private by default",
                    "age checks will keep young children off the platform"],
            "against": ["age verification means uploading ID documents", "teenagers will just lie about their age",
                        "parents get no real tools to protect their kids"],
        },
        "de": {
            "terms": ["Kinderschutz", "Jugendschutz", "Minderjährige", "Altersverifikation", "Cybergrooming"],
            "for": ["Kinder werden besser vor Cybergrooming geschützt",
                    "Konten von Minderjährigen sind standardmäßig privat",
                    "Alterskontrollen halten kleine Kinder von der Plattform fern"],
            "against": ["Altersverifikation bedeutet, Ausweise hochzuladen", "Jugendliche lügen einfach beim Alter",
                        "Eltern bekommen keine echten Werkzeuge zum Schutz ihrer Kinder"],
        },
        "fr": {
            "terms": ["la protection des enfants", "la sécurité des mineurs", "les jeunes utilisateurs",
                      "la vérification de l'âge", "le pédopiégeage"],
            "for": ["les enfants sont mieux protégés contre les prédateurs",
                    "les comptes des mineurs sont privés par défaut",
                    "le contrôle de l'âge éloigne les jeunes enfants"],
            "against": ["vérifier l'âge veut dire envoyer une pièce d'identité",
                        "les adolescents mentiront simplement sur leur âge",
                        "les parents n'ont aucun vrai outil pour protéger leurs enfants"],
        },
        "es": {
            "terms": ["la seguridad infantil", "la protección de menores", "los usuarios jóvenes",
                      "la verificación de edad", "el grooming"],
            "for": ["los niños están mejor protegidos contra el grooming",
                    "las cuentas de menores son privadas por defecto",
                    "el control de edad mantiene fuera a los niños pequeños"],
            "against": ["verificar la edad significa subir documentos de identidad",
                        "los adolescentes simplemente mentirán sobre su edad",
                        "los padres no tienen herramientas reales para proteger a sus hijos"],
        },
        "pt": {
            "terms": ["a segurança das crianças", "a proteção de menores", "os usuários jovens",
                      "a verificação de idade", "o aliciamento de menores"],
            "for": ["as crianças ficam mais protegidas contra aliciamento",
                    "as contas de menores são privadas por padrão",
                    "o controle de idade mantém crianças pequenas fora da plataforma"],
            "against": ["verificar a idade significa enviar documentos de identidade",
                        "os adolescentes vão simplesmente mentir a idade",
                        "os pais não recebem ferramentas reais para proteger os filhos"],
        },
    },
    "local_languages": {
        "en": {
            "terms": ["local languages", "moderation in minority languages", "non-English content",
                      "moderators who speak our language", "dialects", "the translation of the rules"],
            "for": ["the rules will be translated into forty languages", "moderators will be hired for local languages",
                    "posts in minority languages get the same review"],
            "against": ["moderators do not understand our language or slang", "the rules exist only in English",
                        "posts in Swahili and Tagalog are removed by mistake"],
        },
        "de": {
            "terms": ["lokale Sprachen", "Minderheitensprachen", "Dialekte", "Übersetzung der Regeln",
                      "Moderatoren mit Sprachkenntnissen"],
            "for": ["die Regeln werden in vierzig Sprachen übersetzt",
                    "es werden Moderatoren für lokale Sprachen eingestellt",
                    "Beiträge in Minderheitensprachen werden gleich geprüft"],
            "against": ["die Moderatoren verstehen unsere Sprache und unseren Slang nicht",
                        "die Regeln gibt es nur auf Englisch",
                        "Beiträge auf Plattdeutsch und Sorbisch werden irrtümlich gelöscht"],
        },
        "fr": {
            "terms": ["les langues locales", "les langues minoritaires", "les dialectes", "la traduction des règles",
                      "les modérateurs francophones"],
            "for": ["les règles seront traduites en quarante langues",
                    "des modérateurs seront recrutés pour les langues locales",
                    "les publications en langues minoritaires auront le même examen"],
            "against": ["les modérateurs ne comprennent pas notre langue ni notre argot",
                        "les règles n'existent qu'en anglais",
                        "les publications en wolof et en créole sont supprimées par erreur"],
        },
        "es": {
            "terms": ["las lenguas locales", "las lenguas indígenas", "los dialectos", "la traducción de las normas",
                      "los moderadores hispanohablantes"],
            "for": ["las normas se traducirán a cuarenta idiomas",
                    "se contratarán moderadores para lenguas locales",
                    "las publicaciones en lenguas indígenas tendrán la misma revisión"],
            "against": ["los moderadores no entienden nuestro idioma ni nuestra jerga",
                        "las normas solo existen en inglés",
                        "las publicaciones en quechua y guaraní se borran por error"],
        },
        "pt": {
            "terms": ["as línguas locais", "as línguas indígenas", "os sotaques e gírias", "a tradução das regras",
                      "os moderadores lusófonos"],
            "for": ["as regras serão traduzidas para quarenta línguas",
                    "serão contratados moderadores para línguas locais",
                    "publicações em línguas indígenas terão a mesma análise"],
            "against": ["os moderadores não entendem nossa língua nem nossas gírias",
                        "as regras só existem em inglês",
                        "publicações em crioulo e em tupi são apagadas por engano"],
        },
    },
    "government_requests": {
        "en": {
            "terms": ["government requests", "takedown orders from governments", "state censorship",
                      "police access to user data", "political pressure", "requests from authorities"],
            "for": ["every government takedown request will be published", "the company will challenge unlawful orders",
                    "police need a court order to get user data"],
            "against": ["governments can silence journalists and activists",
                        "authorities get user data without a warrant",
                        "the policy gives in to authoritarian regimes"],
        },
        "de": {
            "terms": ["Behördenanfragen", "staatliche Löschanordnungen", "Zensur", "Polizeizugriff auf Nutzerdaten",
                      "politischer Druck"],
            "for": ["jede Löschanfrage einer Regierung wird veröffentlicht",
                    "das Unternehmen wehrt sich gegen rechtswidrige Anordnungen",
                    "die Polizei braucht einen richterlichen Beschluss für Nutzerdaten"],
            "against": ["Regierungen können Journalisten und Aktivisten zum Schweigen bringen",
                        "Behörden bekommen Nutzerdaten ohne richterlichen Beschluss",
                        "die Richtlinie gibt autoritären Regimen nach"],
        },
        "fr": {
            "terms": ["les demandes des gouvernements", "les ordres de retrait des États", "la censure d'État",
                      "l'accès de la police aux données", "les pressions politiques"],
            "for": ["chaque demande de retrait d'un gouvernement sera publiée",
                    "l'entreprise contestera les ordres illégaux",
                    "la police aura besoin d'une décision de justice"],
            "against": ["les gouvernements pourront faire taire les journalistes et les militants",
                        "les autorités obtiennent les données sans mandat",
                        "la politique cède aux régimes autoritaires"],
        },
        "es": {
            "terms": ["las solicitudes de los gobiernos", "las órdenes de retirada estatales", "la censura estatal",
                      "el acceso policial a los datos", "la presión política"],
            "for": ["cada solicitud de retirada de un gobierno se publicará",
                    "la empresa recurrirá las órdenes ilegales",
                    "la policía necesitará una orden judicial"],
            "against": ["los gobiernos podrán silenciar a periodistas y activistas",
                        "las autoridades obtienen datos sin orden judicial",
                        "la política cede ante regímenes autoritarios"],
        },
        "pt": {
            "terms": ["os pedidos dos governos", "as ordens de remoção estatais", "a censura estatal",
                      "o acesso da polícia aos dados", "a pressão política"],
            "for": ["cada pedido de remoção de governo será publicado",
                    "a empresa vai contestar ordens ilegais",
                    "a polícia vai precisar de ordem judicial"],
            "against": ["os governos poderão silenciar jornalistas e ativistas",
                        "as autoridades obtêm dados sem mandado",
                        "a política cede a regimes autoritários"],
        },
    },
    "transparency": {
        "en": {
            "terms": ["transparency", "transparency reports", "the reasons for removals", "clear rules",
                      "how the algorithm ranks posts", "independent audits"],
            "for": ["users are told which rule a post broke", "quarterly transparency reports are promised",
                    "independent auditors can check the numbers"],
            "against": ["nobody explains why posts disappear", "the rules are vague and change without notice",
                        "the transparency report hides the real numbers"],
        },
        "de": {
            "terms": ["Transparenz", "Transparenzberichte", "Begründungen für Löschungen", "klare Regeln",
                      "unabhängige Prüfungen"],
            "for": ["Nutzer erfahren, gegen welche Regel ein Beitrag verstoßen hat",
                    "vierteljährliche Transparenzberichte werden versprochen",
                    "unabhängige Prüfer können die Zahlen kontrollieren"],
            "against": ["niemand erklärt, warum Beiträge verschwinden",
                        "die Regeln sind vage und ändern sich ohne Ankündigung",
                        "der Transparenzbericht versteckt die echten Zahlen"],
        },
        "fr": {
            "terms": ["la transparence", "les rapports de transparence", "les motifs de suppression",
                      "des règles claires", "les audits indépendants"],
            "for": ["les utilisateurs sauront quelle règle a été enfreinte",
                    "des rapports de transparence trimestriels sont promis",
                    "des auditeurs indépendants pourront vérifier les chiffres"],
            "against": ["personne n'explique pourquoi les publications disparaissent",
                        "les règles sont floues et changent sans prévenir",
                        "le rapport de transparence cache les vrais chiffres"],
        },
        "es": {
            "terms": ["la transparencia", "los informes de transparencia", "los motivos de las eliminaciones",
                      "unas normas claras", "las auditorías independientes"],
            "for": ["los usuarios sabrán qué norma incumplió una publicación",
                    "se prometen informes de transparencia trimestrales",
                    "auditores independientes podrán comprobar las cifras"],
            "against": ["nadie explica por qué desaparecen las publicaciones",
                        "las normas son vagas y cambian sin aviso",
                        "el informe de transparencia oculta las cifras reales"],
        },
        "pt": {
            "terms": ["a transparência", "os relatórios de transparência", "os motivos das remoções",
                      "regras claras", "as auditorias independentes"],
            "for": ["os usuários saberão qual regra foi violada",
                    "relatórios de transparência trimestrais são prometidos",
                    "auditores independentes poderão verificar os números"],
            "against": ["ninguém explica por que as publicações somem",
                        "as regras são vagas e mudam sem aviso",
                        "o relatório de transparência esconde os números reais"],
        },
    },
    "accessibility": {
        "en": {
            "terms": ["accessibility", "screen reader users", "blind and deaf users", "the reporting form",
                      "captions and alt text", "people with disabilities"],
            "for": ["the reporting form now works with screen readers", "videos without captions will be flagged",
                    "people with disabilities were consulted on the design"],
            "against": ["the reporting form cannot be used with a screen reader",
                        "blind users cannot read the warning labels",
                        "the appeal requires a video call, which excludes deaf users"],
        },
        "de": {
            "terms": ["Barrierefreiheit", "Screenreader", "blinde und gehörlose Nutzer",
                      "Untertitel und Alternativtexte",
                      "Menschen mit Behinderungen"],
            "for": ["das Meldeformular funktioniert jetzt mit Screenreadern",
                    "Videos ohne Untertitel werden markiert",
                    "Menschen mit Behinderungen wurden beim Entwurf beteiligt"],
            "against": ["das Meldeformular ist mit einem Screenreader nicht bedienbar",
                        "blinde Nutzer können die Warnhinweise nicht lesen",
                        "der Widerspruch verlangt ein Videogespräch und schließt Gehörlose aus"],
        },
        "fr": {
            "terms": ["l'accessibilité", "les lecteurs d'écran", "les utilisateurs aveugles et sourds",
                      "les sous-titres et textes alternatifs", "les personnes handicapées"],
            "for": ["le formulaire de signalement fonctionne avec les lecteurs d'écran",
                    "les vidéos sans sous-titres seront signalées",
                    "les personnes handicapées ont été consultées"],
            "against": ["le formulaire de signalement est inutilisable avec un lecteur d'écran",
                        "les utilisateurs aveugles ne peuvent pas lire les avertissements",
                        "le recours exige un appel vidéo, ce qui exclut les personnes sourdes"],
        },
        "es": {
            "terms": ["la accesibilidad", "los lectores de pantalla", "los usuarios ciegos y sordos",
                      "los subtítulos y textos alternativos", "las personas con discapacidad"],
            "for": ["el formulario de denuncia funciona con lectores de pantalla",
                    "los vídeos sin subtítulos se marcarán",
                    "se consultó a personas con discapacidad"],
            "against": ["el formulario de denuncia no se puede usar con un lector de pantalla",
                        "los usuarios ciegos no pueden leer las advertencias",
                        "la apelación exige una videollamada y excluye a las personas sordas"],
        },
        "pt": {
            "terms": ["a acessibilidade", "os leitores de tela", "os usuários cegos e surdos",
                      "as legendas e textos alternativos", "as pessoas com deficiência"],
            "for": ["o formulário de denúncia funciona com leitores de tela",
                    "vídeos sem legendas serão sinalizados",
                    "pessoas com deficiência foram consultadas"],
            "against": ["o formulário de denúncia não funciona com leitor de tela",
                        "usuários cegos não conseguem ler os avisos",
                        "o recurso exige uma chamada de vídeo e exclui pessoas surdas"],
        },
    },
    "costs": {
        "en": {
            "terms": ["the costs", "the new fees", "the price of verification", "small creators' income",
                      "the paid priority review", "charges for small businesses"],
            "for": ["the basic service stays free", "small creators do not pay for reviews",
                    "the fees only apply to large advertisers"],
            "against": ["paying for a faster review is unfair", "small creators cannot afford the new fees",
                        "verification should not cost money"],
        },
        "de": {
            "terms": ["Kosten", "neue Gebühren", "Verifizierungsgebühren", "Einnahmen kleiner Creator",
                      "kostenpflichtige Prüfung"],
            "for": ["der Grunddienst bleibt kostenlos", "kleine Creator zahlen nichts für Prüfungen",
                    "die Gebühren gelten nur für große Werbekunden"],
            "against": ["für eine schnellere Prüfung zu zahlen ist unfair",
                        "kleine Creator können sich die neuen Gebühren nicht leisten",
                        "eine Verifizierung darf kein Geld kosten"],
        },
        "fr": {
            "terms": ["les coûts", "les nouveaux frais", "le prix de la vérification",
                      "les revenus des petits créateurs",
                      "l'examen prioritaire payant"],
            "for": ["le service de base reste gratuit", "les petits créateurs ne paient pas les examens",
                    "les frais ne concernent que les grands annonceurs"],
            "against": ["payer pour un examen plus rapide est injuste",
                        "les petits créateurs ne peuvent pas payer ces frais",
                        "la vérification ne devrait rien coûter"],
        },
        "es": {
            "terms": ["los costes", "las nuevas tarifas", "el precio de la verificación",
                      "los ingresos de los pequeños creadores", "la revisión prioritaria de pago"],
            "for": ["el servicio básico sigue siendo gratuito", "los pequeños creadores no pagan por las revisiones",
                    "las tarifas solo afectan a los grandes anunciantes"],
            "against": ["pagar por una revisión más rápida es injusto",
                        "los pequeños creadores no pueden pagar las nuevas tarifas",
                        "la verificación no debería costar dinero"],
        },
        "pt": {
            "terms": ["os custos", "as novas taxas", "o preço da verificação", "a renda dos pequenos criadores",
                      "a revisão prioritária paga"],
            "for": ["o serviço básico continua gratuito", "os pequenos criadores não pagam pelas revisões",
                    "as taxas só valem para grandes anunciantes"],
            "against": ["pagar por uma revisão mais rápida é injusto",
                        "os pequenos criadores não conseguem pagar as novas taxas",
                        "a verificação não deveria custar dinheiro"],
        },
    },
    "automated_moderation": {
        "en": {
            "terms": ["automated moderation", "the AI filters", "algorithmic removals", "false positives",
                      "automatic bans", "human review"],
            "for": ["the AI filter catches spam before anyone sees it", "a human now checks every automatic ban",
                    "automated detection is faster than manual review"],
            "against": ["the AI filters remove harmless posts all the time",
                        "automatic bans happen without human review",
                        "the algorithm flags satire and art as violations"],
        },
        "de": {
            "terms": ["automatisierte Moderation", "KI-Filter", "algorithmische Löschungen", "Fehlalarme",
                      "automatische Sperren"],
            "for": ["der KI-Filter fängt Spam ab, bevor ihn jemand sieht",
                    "ein Mensch prüft jetzt jede automatische Sperre",
                    "die automatische Erkennung ist schneller als manuelle Prüfung"],
            "against": ["die KI-Filter löschen ständig harmlose Beiträge",
                        "automatische Sperren passieren ohne menschliche Prüfung",
                        "der Algorithmus hält Satire und Kunst für Verstöße"],
        },
        "fr": {
            "terms": ["la modération automatisée", "les filtres d'IA", "les suppressions algorithmiques",
                      "les faux positifs", "les bannissements automatiques"],
            "for": ["le filtre d'IA bloque le spam avant que quiconque le voie",
                    "un humain vérifie désormais chaque bannissement automatique",
                    "la détection automatique est plus rapide que l'examen manuel"],
            "against": ["les filtres d'IA suppriment sans cesse des publications inoffensives",
                        "les bannissements automatiques se font sans examen humain",
                        "l'algorithme prend la satire et l'art pour des infractions"],
        },
        "es": {
            "terms": ["la moderación automatizada", "los filtros de IA", "las eliminaciones algorítmicas",
                      "los falsos positivos", "los bloqueos automáticos"],
            "for": ["el filtro de IA detiene el spam antes de que nadie lo vea",
                    "una persona revisa ahora cada bloqueo automático",
                    "la detección automática es más rápida que la revisión manual"],
            "against": ["los filtros de IA borran publicaciones inofensivas todo el tiempo",
                        "los bloqueos automáticos ocurren sin revisión humana",
                        "el algoritmo confunde la sátira y el arte con infracciones"],
        },
        "pt": {
            "terms": ["a moderação automatizada", "os filtros de IA", "as remoções algorítmicas",
                      "os falsos positivos", "os banimentos automáticos"],
            "for": ["o filtro de IA barra o spam antes que alguém veja",
                    "uma pessoa agora revisa cada banimento automático",
                    "a detecção automática é mais rápida que a revisão manual"],
            "against": ["os filtros de IA apagam publicações inofensivas o tempo todo",
                        "os banimentos automáticos acontecem sem revisão humana",
                        "o algoritmo confunde sátira e arte com violações"],
        },
    },
}
THEME_KEYS = list(THEMES)

# Per language: openers by stance, sentence frames around a term ({t}) or a claim ({c}), filler, and generic answers.
FRAMES: dict[str, dict[str, list[str]]] = {
    "en": {
        "open_for": ["I support the proposal.", "Yes.", "I agree with the new policy.", "Good idea.",
                     "Yes, I support these changes.", "I am in favour.", "Overall this is a step forward.",
                     "Yes, please go ahead."],
        "open_against": ["I oppose the proposal.", "No.", "I disagree with this change.", "Bad idea.",
                         "No, I do not support this.", "I am against it.", "This is a step backwards.",
                         "Please do not go ahead with this."],
        "term_for": ["The change is good for {t}.", "This finally takes {t} seriously.",
                     "I welcome what the proposal does about {t}.", "It is a real improvement for {t}.",
                     "Thank you for thinking about {t}."],
        "term_against": ["The change is bad for {t}.", "This ignores {t}.", "I am worried about {t}.",
                         "It makes things worse for {t}.", "Nobody thought about {t}."],
        "term_neutral": ["My main point is about {t}.", "What matters to me is {t}.", "Please think about {t}.",
                         "What happens to {t}?", "I want to know more about {t}."],
        "claim": ["{C}.", "I like that {c}.", "The good part is that {c}.", "It is clear that {c}.",
                  "From what I read, {c}."],
        "claim_against": ["{C}.", "The problem is that {c}.", "My fear is that {c}.", "It is obvious that {c}.",
                          "From what I read, {c}."],
        "filler": ["I have used the platform for years.", "Thank you for the consultation.",
                   "My family uses it every day.", "Please read all the answers.", "I run a small business online.",
                   "I work as a teacher.", "This affects millions of people.", "Listen to your users.",
                   "I hope this feedback helps.", "I am a journalist."],
        "generic": ["No comment.", "Good.", "Not sure.", "OK with me.", "Fine.", "Don't know.", "n/a",
                    "See my earlier email.", "Nothing to add.", "Whatever you decide."],
        "hello": ["Dear team,", "Hello,", "To whom it may concern,", "Hi,"],
        "bye": ["Regards, {n}", "Thanks, {n}", "{n}", "Best wishes, {n}"],
        "intens": ["really", "very", "honestly", "truly", "clearly"],
    },
    "de": {
        "open_for": ["Ich unterstütze den Vorschlag.", "Ja.", "Ich stimme der neuen Richtlinie zu.", "Gute Idee.",
                     "Ja, ich befürworte die Änderungen.", "Ich bin dafür.", "Insgesamt ein Schritt nach vorn."],
        "open_against": ["Ich lehne den Vorschlag ab.", "Nein.", "Ich bin mit dieser Änderung nicht einverstanden.",
                         "Schlechte Idee.", "Nein, das unterstütze ich nicht.", "Ich bin dagegen.",
                         "Das ist ein Rückschritt."],
        "term_for": ["Beim Thema {t} ist das ein Fortschritt.", "Endlich wird das Thema {t} ernst genommen.",
                     "Für das Thema {t} ist die Änderung gut.", "Danke, dass Sie an das Thema {t} gedacht haben."],
        "term_against": ["Beim Thema {t} ist das ein Rückschritt.", "Das Thema {t} wird völlig ignoriert.",
                         "Ich mache mir Sorgen beim Thema {t}.", "Beim Thema {t} wird alles schlimmer."],
        "term_neutral": ["Mir geht es um das Thema {t}.", "Wichtig ist mir das Thema {t}.",
                         "Bitte denken Sie an das Thema {t}.", "Was ist mit dem Thema {t}?"],
        "claim": ["{C}.", "Gut finde ich, dass {c}.", "Positiv ist, dass {c}.", "Soweit ich lese: {c}."],
        "claim_against": ["{C}.", "Das Problem ist: {c}.", "Ich befürchte, {c}.", "Soweit ich lese: {c}."],
        "filler": ["Ich nutze die Plattform seit Jahren.", "Danke für die Konsultation.",
                   "Meine Familie nutzt sie jeden Tag.", "Bitte lesen Sie alle Antworten.",
                   "Ich betreibe ein kleines Geschäft online.", "Ich arbeite als Lehrerin.",
                   "Das betrifft Millionen Menschen.", "Hören Sie auf Ihre Nutzer."],
        "generic": ["Kein Kommentar.", "Gut.", "Weiß nicht.", "Passt.", "Keine Angabe.", "Nichts hinzuzufügen."],
        "hello": ["Sehr geehrte Damen und Herren,", "Hallo,", "Liebes Team,"],
        "bye": ["Mit freundlichen Grüßen, {n}", "Viele Grüße, {n}", "{n}"],
        "intens": ["wirklich", "sehr", "ehrlich gesagt", "eindeutig"],
    },
    "fr": {
        "open_for": ["Je soutiens la proposition.", "Oui.", "Je suis d'accord avec la nouvelle politique.",
                     "Bonne idée.", "Oui, je soutiens ces changements.", "Je suis pour.", "C'est un progrès."],
        "open_against": ["Je m'oppose à la proposition.", "Non.", "Je ne suis pas d'accord avec ce changement.",
                         "Mauvaise idée.", "Non, je ne soutiens pas cela.", "Je suis contre.", "C'est un recul."],
        "term_for": ["Pour {t}, c'est une bonne chose.", "Enfin on prend au sérieux {t}.",
                     "Concernant {t}, c'est un vrai progrès.", "Merci d'avoir pensé à cela pour {t}."],
        "term_against": ["Pour {t}, c'est une mauvaise chose.", "Concernant {t}, rien n'est prévu.",
                         "Je m'inquiète pour {t}.", "Concernant {t}, tout empire."],
        "term_neutral": ["Mon point principal concerne {t}.", "Ce qui compte pour moi : {t}.",
                         "Pensez à {t}, s'il vous plaît.", "Qu'en est-il pour {t} ?"],
        "claim": ["{C}.", "J'apprécie que {c}.", "Le bon côté : {c}.", "D'après ce que je lis, {c}."],
        "claim_against": ["{C}.", "Le problème, c'est que {c}.", "Je crains que {c}.", "D'après ce que je lis, {c}."],
        "filler": ["J'utilise la plateforme depuis des années.", "Merci pour cette consultation.",
                   "Ma famille l'utilise tous les jours.", "Lisez toutes les réponses, s'il vous plaît.",
                   "Je tiens un petit commerce en ligne.", "Je suis enseignante.",
                   "Cela concerne des millions de personnes."],
        "generic": ["Pas de commentaire.", "Bien.", "Je ne sais pas.", "D'accord.", "Rien à ajouter."],
        "hello": ["Madame, Monsieur,", "Bonjour,", "Chère équipe,"],
        "bye": ["Cordialement, {n}", "Merci, {n}", "{n}"],
        "intens": ["vraiment", "très", "franchement", "clairement"],
    },
    "es": {
        "open_for": ["Apoyo la propuesta.", "Sí.", "Estoy de acuerdo con la nueva política.", "Buena idea.",
                     "Sí, apoyo estos cambios.", "Estoy a favor.", "Es un paso adelante."],
        "open_against": ["Me opongo a la propuesta.", "No.", "No estoy de acuerdo con este cambio.", "Mala idea.",
                         "No, no apoyo esto.", "Estoy en contra.", "Es un paso atrás."],
        "term_for": ["Para {t}, el cambio es bueno.", "Por fin se toma en serio {t}.",
                     "Sobre {t}, es una mejora real.", "Gracias por pensar en {t}."],
        "term_against": ["Para {t}, el cambio es malo.", "Se ignora por completo {t}.",
                         "Me preocupa {t}.", "Sobre {t}, todo empeora."],
        "term_neutral": ["Mi punto principal es sobre {t}.", "Lo que me importa: {t}.",
                         "Por favor, piensen en {t}.", "¿Qué pasa con {t}?"],
        "claim": ["{C}.", "Me gusta que {c}.", "Lo bueno es que {c}.", "Por lo que leo, {c}."],
        "claim_against": ["{C}.", "El problema es que {c}.", "Temo que {c}.", "Por lo que leo, {c}."],
        "filler": ["Uso la plataforma desde hace años.", "Gracias por la consulta.",
                   "Mi familia la usa todos los días.", "Lean todas las respuestas, por favor.",
                   "Tengo un pequeño negocio en línea.", "Soy profesora.", "Esto afecta a millones de personas."],
        "generic": ["Sin comentarios.", "Bien.", "No sé.", "De acuerdo.", "Nada que añadir."],
        "hello": ["Estimado equipo,", "Hola,", "A quien corresponda,"],
        "bye": ["Saludos, {n}", "Gracias, {n}", "{n}"],
        "intens": ["realmente", "muy", "sinceramente", "claramente"],
    },
    "pt": {
        "open_for": ["Apoio a proposta.", "Sim.", "Concordo com a nova política.", "Boa ideia.",
                     "Sim, apoio estas mudanças.", "Sou a favor.", "É um passo em frente."],
        "open_against": ["Sou contra a proposta.", "Não.", "Não concordo com esta mudança.", "Má ideia.",
                         "Não, não apoio isto.", "Sou contra.", "É um retrocesso."],
        "term_for": ["Para {t}, a mudança é boa.", "Finalmente levam a sério {t}.",
                     "Sobre {t}, é uma melhoria real.", "Obrigado por pensar sobre {t}."],
        "term_against": ["Para {t}, a mudança é ruim.", "Ignoram completamente {t}.",
                         "Estou preocupado com isto, sobre {t}.", "Sobre {t}, tudo piora."],
        "term_neutral": ["Meu ponto principal é sobre {t}.", "O que importa para mim: {t}.",
                         "Por favor, pensem sobre {t}.", "E sobre {t}?"],
        "claim": ["{C}.", "Gosto que {c}.", "O lado bom é que {c}.", "Pelo que li, {c}."],
        "claim_against": ["{C}.", "O problema é que {c}.", "Temo que {c}.", "Pelo que li, {c}."],
        "filler": ["Uso a plataforma há anos.", "Obrigado pela consulta.", "Minha família usa todos os dias.",
                   "Leiam todas as respostas, por favor.", "Tenho um pequeno negócio online.", "Sou professora.",
                   "Isto afeta milhões de pessoas."],
        "generic": ["Sem comentários.", "Bom.", "Não sei.", "Tudo bem.", "Nada a acrescentar."],
        "hello": ["Prezada equipe,", "Olá,", "A quem possa interessar,"],
        "bye": ["Atenciosamente, {n}", "Obrigado, {n}", "{n}"],
        "intens": ["realmente", "muito", "sinceramente", "claramente"],
    },
}

NAMES = {
    "en": ["James", "Mary", "Amina", "Wei", "Priya", "John", "Sarah", "Kwame", "Olivia", "Liam", "Fatima", "Noah"],
    "de": ["Lukas", "Anna", "Mehmet", "Sophie", "Jonas", "Lea", "Fatma", "Felix", "Marie", "Paul"],
    "fr": ["Camille", "Louis", "Awa", "Chloé", "Hugo", "Léa", "Moussa", "Inès", "Jules"],
    "es": ["Lucía", "Mateo", "Sofía", "Hugo", "Valentina", "Diego", "Camila", "Javier"],
    "pt": ["João", "Ana", "Beatriz", "Pedro", "Mariana", "Lucas", "Gabriela", "Tiago"],
}
SURNAMES = {
    "en": ["smith", "jones", "okafor", "patel", "chen", "brown", "taylor", "mensah", "wilson"],
    "de": ["mueller", "schmidt", "yilmaz", "schneider", "fischer", "weber", "wagner"],
    "fr": ["martin", "bernard", "diallo", "dubois", "thomas", "robert", "petit"],
    "es": ["garcia", "martinez", "lopez", "sanchez", "perez", "gomez", "fernandez"],
    "pt": ["silva", "santos", "oliveira", "souza", "pereira", "costa", "ferreira"],
}
DOMAINS = {
    "en": ["gmail.com", "outlook.com", "yahoo.co.uk", "proton.me", "example.org", "hotmail.com"],
    "de": ["web.de", "gmx.de", "t-online.de", "posteo.de", "gmail.com"],
    "fr": ["orange.fr", "free.fr", "laposte.net", "gmail.com"],
    "es": ["hotmail.es", "telefonica.net", "gmail.com", "yahoo.es"],
    "pt": ["sapo.pt", "uol.com.br", "terra.com.br", "gmail.com"],
}
REGIONS = {
    "en": ["London", "Scotland", "Wales", "North West England", "Ireland", "Kenya", "India", "Nigeria", "California",
           "Ontario", "Philippines", "South Africa"],
    "de": ["Berlin", "Bayern", "Nordrhein-Westfalen", "Wien", "Zürich", "Hamburg", "Sachsen"],
    "fr": ["Île-de-France", "Québec", "Sénégal", "Bretagne", "Belgique", "Côte d'Ivoire", "Occitanie"],
    "es": ["Madrid", "Cataluña", "México", "Colombia", "Argentina", "Andalucía", "Perú"],
    "pt": ["Lisboa", "Porto", "São Paulo", "Rio de Janeiro", "Bahia", "Angola", "Moçambique"],
}
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_ASCII = str.maketrans("áàâãäçéèêëíïîóôõöúüñ", "aaaaaceeeeiiioooouun")  # email local parts in plain ASCII


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Composer:
    """Everything one stream needs: the random generator, the vocabulary and the recent originals."""

    def __init__(self, rows: int, seed: int):
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.rows = rows
        self.recent: list[tuple] = []  # (text, theme, second, stance, language, email, respondent_id)
        self.language_cum = []
        total = 0
        for weight in LANGUAGE_WEIGHTS:
            total += weight
            self.language_cum.append(total / sum(LANGUAGE_WEIGHTS))
        self.campaigns = self._plan_campaigns()

    # -- small helpers ------------------------------------------------------------------------------------------
    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def language(self) -> str:
        r = self.random()
        for code, edge in zip(LANGUAGES, self.language_cum, strict=True):
            if r < edge:
                return code
        return LANGUAGES[-1]

    def stance(self) -> str:
        r = self.random()
        return AGAINST if r < 0.55 else FOR if r < 0.93 else UNCLEAR

    def theme_sentence(self, theme: str, language: str, stance: str, used: set | None = None) -> str:
        """One sentence about `theme`; a claim already in `used` is not repeated (a term frame is used instead)."""
        vocab = THEMES[theme][language]
        frames = FRAMES[language]
        r = self.random()
        if stance != UNCLEAR and r >= 0.55:
            claim = self.pick(vocab[stance])
            if used is None or claim not in used:
                if used is not None:
                    used.add(claim)
                frame = self.pick(frames["claim" if stance == FOR else "claim_against"])
                return frame.replace("{C}", _cap(claim)).replace("{c}", claim)
        if stance == UNCLEAR or r < 0.15:
            return self.pick(frames["term_neutral"]).replace("{t}", self.pick(vocab["terms"]))
        return self.pick(frames["term_for" if stance == FOR else "term_against"]).replace(
            "{t}", self.pick(vocab["terms"])
        )

    def body(self, theme: str, second: str, language: str, stance: str, sentences: int) -> str:
        frames = FRAMES[language]
        parts = []
        used: set[str] = set()
        if stance != UNCLEAR and self.random() < 0.75:
            parts.append(self.pick(frames["open_for" if stance == FOR else "open_against"]))
        about_theme = False
        for _ in range(sentences):
            if self.random() < 0.25:
                sentence = self.pick(frames["filler"])
            else:
                sentence = self.theme_sentence(theme, language, stance, used)
                about_theme = True
            if not parts or sentence != parts[-1]:
                parts.append(sentence)
        if not about_theme:  # every themed answer says something about its theme
            parts.append(self.theme_sentence(theme, language, stance, used))
        if second:
            parts.insert(1 + int(self.random() * len(parts)), self.theme_sentence(second, language, stance, used))
        if sentences > 6 and self.random() < 0.5:  # long answers come in paragraphs
            cut = 1 + int(self.random() * (len(parts) - 1))
            return " ".join(parts[:cut]) + "\n\n" + " ".join(parts[cut:])
        return " ".join(parts)

    def sentence_count(self) -> int:
        r = self.random()
        if r < 0.18:
            return 1
        if r < 0.75:
            return 2 + int(self.random() * 3)  # 2-4
        if r < 0.95:
            return 5 + int(self.random() * 4)  # 5-8
        return 9 + int(self.random() * self.random() * 30)  # the long tail, up to ~38 sentences

    def name(self, language: str) -> str:
        return self.pick(NAMES[language])

    def email(self, language: str) -> str:
        local = f"{self.pick(NAMES[language]).lower().translate(_ASCII)}.{self.pick(SURNAMES[language])}"
        if self.random() < 0.5:
            local += str(int(self.random() * 1000))
        domain = self.pick(DOMAINS[language])
        if self.random() < MALFORMED_EMAIL_SHARE:
            return self.bad_email(local, domain)
        return f"{local}@{domain}"

    def bad_email(self, local: str | None = None, domain: str | None = None) -> str:
        local = local or "someone"
        domain = domain or "example.org"
        return self.pick([
            f"{local}(at){domain}", f"{local}@", f"{local}@@{domain}", f"{local} @ {domain}",
            f"{local}@{domain.split('.')[0]}", f"{local}.{domain}", "@" + domain, "not given", "-",
        ])

    def receipt(self) -> str:
        bits = self.rng.getrandbits(40)
        chars = [RECEIPT_ALPHABET[(bits >> (5 * i)) & 31] for i in range(8)]
        return "RC-" + "".join(chars[:4]) + "-" + "".join(chars[4:])

    # -- planted structures -------------------------------------------------------------------------------------
    def _plan_campaigns(self) -> list[dict]:
        count = 3 + int(self.random() * 3)  # 3-5
        themes = self.rng.sample(THEME_KEYS, count)
        campaigns = []
        for number, theme in enumerate(themes, start=1):
            language = "en" if number <= 2 else self.language()
            stance = FOR if number == count and count >= 4 else AGAINST
            frames = FRAMES[language]
            parts = [self.pick(frames["open_for" if stance == FOR else "open_against"])]
            used: set[str] = set()
            parts += [self.theme_sentence(theme, language, stance, used) for _ in range(3 + int(self.random() * 3))]
            parts.append(self.pick(frames["filler"]))
            campaigns.append({
                "key": f"campaign-{number}",
                "share": 0.005 + self.random() * 0.025,
                "theme": theme,
                "stance": stance,
                "language": language,
                "text": " ".join(parts),
            })
        return campaigns

    def small_edit(self, text: str, language: str) -> str:
        """A near duplicate: one or two small edits that keep the text recognisably the same."""
        words = text.split(" ")
        for _ in range(1 + int(self.random() * 2)):
            r = self.random()
            if r < 0.3 and len(words) > 4:
                del words[int(self.random() * len(words))]
            elif r < 0.55:
                words.insert(int(self.random() * len(words)), self.pick(FRAMES[language]["intens"]))
            elif r < 0.75 and len(words) > 2:
                i = int(self.random() * len(words))
                word = words[i]
                if len(word) > 3:  # a typo: swap two letters
                    j = int(self.random() * (len(word) - 2))
                    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2:]
            elif r < 0.9:
                words.append(self.pick(FRAMES[language]["filler"]))
            else:
                words[-1] = words[-1].rstrip(".!?") + "!"
        return " ".join(words)

    def case_whitespace(self, text: str) -> str:
        """An exact duplicate: the same words with case or whitespace changed."""
        r = self.random()
        if r < 0.3:
            return text.lower()
        if r < 0.4:
            return text.upper()
        if r < 0.7:
            return "  " + text + " \n"
        return text.replace(" ", "  ", 1 + int(self.random() * 3))

    def campaign_text(self, campaign: dict) -> str:
        text = campaign["text"]
        language = campaign["language"]
        frames = FRAMES[language]
        r = self.random()
        if r < 0.3:
            return text
        if r < 0.5:
            return self.pick(frames["hello"]) + " " + text
        if r < 0.7:
            return text + " " + self.pick(frames["bye"]).replace("{n}", self.name(language))
        return self.small_edit(text, language)

    def long_text(self, theme: str, language: str, stance: str) -> str:
        parts = []
        size = 0
        target = 10_500 + int(self.random() * 8000)
        while size < target:
            sentence = self.theme_sentence(theme, language, stance)
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)


def generate(rows: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """Yield `rows` dicts with the COLUMNS and the TRUTH_COLUMNS, the same for the same arguments."""
    c = _Composer(rows, seed)
    rand = c.random
    recent = c.recent
    campaign_edges = []
    edge = BAD_SHARE + EXACT_SHARE + NEAR_SHARE
    for campaign in c.campaigns:
        edge += campaign["share"]
        campaign_edges.append((edge, campaign))
    for index in range(rows):
        respondent_id = f"R{index + 1:07d}"
        r = rand()
        group = ""
        second = ""
        email = None
        if r < BAD_SHARE:
            language = c.language()
            theme = c.pick(THEME_KEYS)
            stance = c.stance()
            b = rand()
            if b < 0.35:
                kind, text, theme, stance = BAD_EMPTY, c.pick(["", " ", "\n", "   "]), "", ""
            elif b < 0.65:
                kind, text = BAD_LONG, c.long_text(theme, language, stance)
            else:
                kind = BAD_EMAIL
                text = c.body(theme, "", language, stance, c.sentence_count())
                email = c.bad_email()
        elif r < BAD_SHARE + EXACT_SHARE + NEAR_SHARE and recent:
            source = recent[int(rand() * len(recent))]
            text, theme, second, stance, language, source_email, group = source
            if r < BAD_SHARE + EXACT_SHARE:
                kind, text = EXACT, c.case_whitespace(text)
            else:
                kind, text = NEAR, c.small_edit(text, language)
            if source_email and rand() < 0.5:  # the same person answering twice
                email = source_email
        else:
            campaign = None
            for campaign_edge, candidate in campaign_edges:
                if r < campaign_edge:
                    campaign = candidate
                    break
            if campaign is not None and r >= BAD_SHARE + EXACT_SHARE + NEAR_SHARE:
                kind, group = CAMPAIGN, campaign["key"]
                theme, stance, language = campaign["theme"], campaign["stance"], campaign["language"]
                text = c.campaign_text(campaign)
            else:
                kind = ORIGINAL
                language = c.language()
                if rand() < GENERIC_SHARE:
                    theme, stance = NO_THEME, UNCLEAR
                    text = c.pick(FRAMES[language]["generic"])
                else:
                    theme = c.pick(THEME_KEYS)
                    stance = c.stance()
                    if rand() < SECOND_THEME_SHARE:
                        second = c.pick(THEME_KEYS)
                        if second == theme:
                            second = ""
                    text = c.body(theme, second, language, stance, c.sentence_count())
        if email is None:
            email = c.email(language) if rand() < EMAIL_SHARE else ""
        if kind == ORIGINAL:
            entry = (text, theme, second, stance, language, email, respondent_id)
            if len(recent) < RECENT:
                recent.append(entry)
            else:
                recent[int(rand() * RECENT)] = entry
        yield {
            "respondent_id": respondent_id,
            "response": text,
            "email": email,
            "consent": "yes" if rand() < 0.85 else "no",
            "language": language if rand() < LANGUAGE_GIVEN_SHARE else "",
            "receipt_code": c.receipt() if rand() < RECEIPT_SHARE else "",
            "region": c.pick(REGIONS[language]) if rand() < 0.7 else "",
            "true_theme": theme,
            "true_second_theme": second,
            "true_stance": stance,
            "true_language": language,
            "true_kind": kind,
            "true_group": group,
        }


# ---------------------------------------------------------------------------------------------------------------
# Writers: one row at a time.
# ---------------------------------------------------------------------------------------------------------------


def write(rows: int, seed: int, fmt: str, out, truth=None) -> int:
    """Write `rows` rows to the binary or text file `out` (csv/jsonl: text, xlsx: a path); return the count."""
    truth_writer = None
    if truth is not None:
        truth_writer = csv.writer(truth, lineterminator="\n")
        truth_writer.writerow(TRUTH_COLUMNS)
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writerow = writer.writerow
        for row in generate(rows, seed):
            writerow([row[name] for name in COLUMNS])
            if truth_writer:
                truth_writer.writerow([row[name] for name in TRUTH_COLUMNS])
            count += 1
    elif fmt == "jsonl":
        dumps = json.dumps
        for row in generate(rows, seed):
            out.write(dumps({name: row[name] for name in COLUMNS}, ensure_ascii=False) + "\n")
            if truth_writer:
                truth_writer.writerow([row[name] for name in TRUTH_COLUMNS])
            count += 1
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("responses")
        sheet.append(COLUMNS)
        for row in generate(rows, seed):
            sheet.append([row[name] for name in COLUMNS])
            if truth_writer:
                truth_writer.writerow([row[name] for name in TRUTH_COLUMNS])
            count += 1
        book.save(out)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return count


def write_file(rows: int, seed: int, fmt: str, path: str, truth_path: str | None = None) -> int:
    truth = open(truth_path, "w", encoding="utf-8", newline="") if truth_path else None  # noqa: SIM115
    try:
        if fmt == "xlsx":
            return write(rows, seed, fmt, path, truth)
        with open(path, "w", encoding="utf-8", newline="") as out:
            return write(rows, seed, fmt, out, truth)
    finally:
        if truth:
            truth.close()


# ---------------------------------------------------------------------------------------------------------------
# --check: a self-test (this module lives outside the project's packages, so it has no pytest file).
# ---------------------------------------------------------------------------------------------------------------


def check(rows: int = 20_000) -> list[str]:
    """Return the problems found in a generated sample (empty when all is well)."""
    problems = []

    def expect(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    data = list(generate(rows, seed=7))
    expect(len(data) == rows, f"{len(data)} rows instead of {rows}")
    expect(
        [r["response"] for r in generate(500, seed=7)] == [r["response"] for r in data[:500]],
        "not deterministic: the same seed gave other texts",
    )
    expect(
        [r["response"] for r in generate(500, seed=8)] != [r["response"] for r in data[:500]],
        "another seed gave the same texts",
    )
    expect(len({r["respondent_id"] for r in data}) == rows, "respondent ids are not unique")
    share = Counter(r["true_language"] for r in data)
    for code, weight in zip(LANGUAGES, LANGUAGE_WEIGHTS, strict=True):
        observed = share[code] / rows
        expected = weight / sum(LANGUAGE_WEIGHTS)
        expect(abs(observed - expected) < 0.06, f"language {code}: {observed:.3f} of rows, expected ~{expected:.2f}")
    kinds = Counter(r["true_kind"] for r in data)
    expect(0.035 < kinds[EXACT] / rows < 0.065, f"exact duplicates: {kinds[EXACT] / rows:.3f}")
    expect(0.035 < kinds[NEAR] / rows < 0.065, f"near duplicates: {kinds[NEAR] / rows:.3f}")
    bad = kinds[BAD_EMPTY] + kinds[BAD_LONG] + kinds[BAD_EMAIL]
    expect(0.0005 < bad / rows < 0.005, f"bad rows: {bad / rows:.4f}")
    campaigns = Counter(r["true_group"] for r in data if r["true_kind"] == CAMPAIGN)
    expect(3 <= len(campaigns) <= 5, f"{len(campaigns)} campaigns")
    for key, size in campaigns.items():
        expect(0.003 < size / rows < 0.035, f"{key}: {size / rows:.4f} of rows")
    themes = Counter(r["true_theme"] for r in data if r["true_kind"] == ORIGINAL)
    expect(len(set(themes) - {NO_THEME}) == len(THEME_KEYS), f"planted themes: {sorted(themes)}")
    stances = Counter(r["true_stance"] for r in data if r["true_kind"] == ORIGINAL)
    expect(stances[FOR] > 0.25 * rows and stances[AGAINST] > 0.35 * rows, f"stances: {dict(stances)}")
    emails = [r["email"] for r in data if r["email"]]
    expect(0.33 < len(emails) / rows < 0.47, f"emails on {len(emails) / rows:.3f} of rows")
    malformed = sum(1 for e in emails if e.count("@") != 1 or " " in e or "." not in e.split("@")[-1])
    expect(0 < malformed < 0.1 * len(emails), f"{malformed} malformed emails of {len(emails)}")
    receipts = sum(1 for r in data if r["receipt_code"])
    expect(0.25 < receipts / rows < 0.35, f"receipt codes on {receipts / rows:.3f} of rows")
    given = sum(1 for r in data if r["language"])
    expect(0.2 < given / rows < 0.5, f"language given on {given / rows:.3f} of rows")
    expect({r["consent"] for r in data} == {"yes", "no"}, "consent is not yes/no")
    lengths = sorted(len(r["response"].split()) for r in data if r["true_kind"] == ORIGINAL)
    median = lengths[len(lengths) // 2]
    within = sum(1 for n in lengths if 5 <= n <= 80) / len(lengths)
    expect(8 <= median <= 60, f"median length {median} words")
    expect(within > 0.8, f"only {within:.2f} of texts have 5-80 words")
    expect(lengths[-1] > 150, f"no long tail: longest {lengths[-1]} words")
    longest = max(len(r["response"]) for r in data)
    expect(longest > 10_000 or kinds[BAD_LONG] == 0, "no over-long text among the bad rows")
    expect(any(not r["response"].strip() for r in data), "no empty text among the bad rows")
    # Exact duplicates equal their source once case and whitespace are normalised.
    by_id = {r["respondent_id"]: r for r in data}
    for row in data:
        if row["true_kind"] == EXACT:
            source = by_id[row["true_group"]]["response"]
            if " ".join(row["response"].lower().split()) != " ".join(source.lower().split()):
                problems.append(f"exact duplicate {row['respondent_id']} differs from {row['true_group']}")
                break
    # Every format writes and reads back.
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("csv", "jsonl", "xlsx"):
            path = os.path.join(folder, f"sample.{fmt}")
            truth = os.path.join(folder, f"truth-{fmt}.csv")
            write_file(300, 7, fmt, path, truth)
            if fmt == "csv":
                with open(path, encoding="utf-8", newline="") as handle:
                    read = [r["response"] for r in csv.DictReader(handle)]
            elif fmt == "jsonl":
                with open(path, encoding="utf-8") as handle:
                    read = [json.loads(line)["response"] for line in handle]
            else:
                from openpyxl import load_workbook

                sheet = load_workbook(path, read_only=True).active
                read = [values[1] or "" for values in sheet.iter_rows(min_row=2, values_only=True)]
            expected = [r["response"] for r in data[:300]]
            expect(read == expected, f"{fmt}: texts read back differ from the generated ones")
            with open(truth, encoding="utf-8", newline="") as handle:
                expect(sum(1 for _ in csv.DictReader(handle)) == 300, f"{fmt}: truth file has the wrong row count")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "jsonl", "xlsx"], default="csv")
    parser.add_argument("--out", help="output file ('-' for standard output, csv/jsonl only)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--truth", help="also write the planted theme, stance, kind and group of each row (CSV)")
    parser.add_argument("--check", action="store_true", help="run the self-test and exit")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print("FAIL:", problem)
        print(f"check: {len(problems)} problem(s)" if problems else "check: passed")
        return 1 if problems else 0
    if not args.out:
        parser.error("--out is required (or --check)")
    if args.rows < 0:
        parser.error("--rows must be 0 or more")
    started = time.perf_counter()
    if args.out == "-":
        if args.format == "xlsx":
            parser.error("xlsx cannot be written to standard output")
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        truth = open(args.truth, "w", encoding="utf-8", newline="") if args.truth else None  # noqa: SIM115
        count = write(args.rows, args.seed, args.format, out, truth)
        out.flush()
        if truth:
            truth.close()
    else:
        count = write_file(args.rows, args.seed, args.format, args.out, args.truth)
    elapsed = time.perf_counter() - started
    digest = ""
    if args.out != "-":
        sha = hashlib.sha256()
        with open(args.out, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                sha.update(chunk)
        digest = " sha256 " + sha.hexdigest()[:16]
    print(f"{count:,} rows ({args.format}) in {elapsed:.1f} s -> {args.out}{digest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
