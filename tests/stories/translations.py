"""Twenty news sentences, each in English, French, German and Spanish (written for this project):
the cross-lingual checks of tests/stories/test_embed.py and benchmarks/embed_choice.py."""

from __future__ import annotations

LANGUAGES = ("en", "fr", "de", "es")

# One news sentence per row, in English, French, German and Spanish (written for
# this project). Several rows share a kind of event (two quakes, two strikes,
# two elections) so that topic alone does not find the translation.
TRANSLATIONS: list[tuple[str, str, str, str]] = [
    (
        "A magnitude 6.8 earthquake struck central Morocco overnight, killing more than 2,000 people.",
        "Un séisme de magnitude 6,8 a frappé le centre du Maroc dans la nuit, faisant plus de 2 000 morts.",
        "Ein Erdbeben der Stärke 6,8 hat in der Nacht Zentralmarokko erschüttert und mehr als 2.000 Menschen getötet.",
        "Un terremoto de magnitud 6,8 sacudió el centro de Marruecos durante la noche y mató a más de 2.000 personas.",
    ),
    (
        "A strong earthquake hit the coast of Japan on Monday, and a tsunami warning was lifted hours later.",
        "Un fort séisme a touché la côte du Japon lundi, et l'alerte au tsunami a été levée quelques heures plus tard.",
        "Ein starkes Erdbeben hat am Montag die Küste Japans getroffen; die Tsunamiwarnung wurde Stunden später aufgehoben.",
        "Un fuerte terremoto golpeó la costa de Japón el lunes y la alerta de tsunami se levantó horas después.",
    ),
    (
        "The European Central Bank raised its key interest rate by a quarter point to fight inflation.",
        "La Banque centrale européenne a relevé son taux directeur d'un quart de point pour lutter contre l'inflation.",
        "Die Europäische Zentralbank hat ihren Leitzins um einen Viertelpunkt angehoben, um die Inflation zu bekämpfen.",
        "El Banco Central Europeo subió su tipo de interés de referencia un cuarto de punto para combatir la inflación.",
    ),
    (
        "French rail workers walked out on Tuesday, cancelling most high-speed trains between Paris and Lyon.",
        "Les cheminots français se sont mis en grève mardi, entraînant l'annulation de la plupart des TGV entre Paris et Lyon.",
        "Französische Bahnbeschäftigte haben am Dienstag die Arbeit niedergelegt; die meisten Schnellzüge zwischen Paris und Lyon fielen aus.",
        "Los trabajadores ferroviarios franceses fueron a la huelga el martes y se cancelaron la mayoría de los trenes de alta velocidad entre París y Lyon.",
    ),
    (
        "Airport security staff in Germany began a two-day strike, grounding hundreds of flights in Frankfurt.",
        "Le personnel de sûreté des aéroports allemands a entamé une grève de deux jours, clouant au sol des centaines de vols à Francfort.",
        "Das Sicherheitspersonal an deutschen Flughäfen hat einen zweitägigen Streik begonnen; in Frankfurt fielen Hunderte Flüge aus.",
        "El personal de seguridad de los aeropuertos alemanes inició una huelga de dos días que dejó en tierra cientos de vuelos en Fráncfort.",
    ),
    (
        "Voters in Portugal went to the polls on Sunday in a snap parliamentary election.",
        "Les électeurs portugais se sont rendus aux urnes dimanche pour des élections législatives anticipées.",
        "Die Wähler in Portugal haben am Sonntag bei einer vorgezogenen Parlamentswahl ihre Stimme abgegeben.",
        "Los votantes de Portugal acudieron a las urnas el domingo en unas elecciones legislativas anticipadas.",
    ),
    (
        "The opposition leader won the presidential runoff in Argentina with 56 percent of the vote.",
        "Le chef de l'opposition a remporté le second tour de la présidentielle en Argentine avec 56 % des voix.",
        "Der Oppositionsführer hat die Stichwahl um das Präsidentenamt in Argentinien mit 56 Prozent der Stimmen gewonnen.",
        "El líder de la oposición ganó la segunda vuelta de las elecciones presidenciales en Argentina con el 56 % de los votos.",
    ),
    (
        "Wildfires forced thousands of residents to flee their homes on the Greek island of Rhodes.",
        "Des incendies ont contraint des milliers d'habitants à fuir leur domicile sur l'île grecque de Rhodes.",
        "Waldbrände haben Tausende Bewohner auf der griechischen Insel Rhodos gezwungen, ihre Häuser zu verlassen.",
        "Los incendios forestales obligaron a miles de vecinos a abandonar sus casas en la isla griega de Rodas.",
    ),
    (
        "Heavy rain caused severe flooding in northern Italy, and two people are still missing.",
        "De fortes pluies ont provoqué de graves inondations dans le nord de l'Italie, et deux personnes sont toujours portées disparues.",
        "Starker Regen hat in Norditalien schwere Überschwemmungen verursacht; zwei Menschen werden noch vermisst.",
        "Las fuertes lluvias provocaron graves inundaciones en el norte de Italia y dos personas siguen desaparecidas.",
    ),
    (
        "The chipmaker reported record quarterly revenue, driven by demand for artificial intelligence servers.",
        "Le fabricant de puces a annoncé un chiffre d'affaires trimestriel record, porté par la demande de serveurs d'intelligence artificielle.",
        "Der Chiphersteller hat einen Rekordumsatz im Quartal gemeldet, getrieben von der Nachfrage nach Servern für künstliche Intelligenz.",
        "El fabricante de chips registró unos ingresos trimestrales récord, impulsados por la demanda de servidores de inteligencia artificial.",
    ),
    (
        "The carmaker will cut 3,000 jobs at its factories in Belgium by the end of next year.",
        "Le constructeur automobile va supprimer 3 000 emplois dans ses usines en Belgique d'ici la fin de l'année prochaine.",
        "Der Autohersteller wird bis Ende nächsten Jahres 3.000 Stellen in seinen Werken in Belgien streichen.",
        "El fabricante de automóviles eliminará 3.000 empleos en sus fábricas de Bélgica antes de finales del año que viene.",
    ),
    (
        "Spain beat England 1-0 in Sydney to win the Women's World Cup for the first time.",
        "L'Espagne a battu l'Angleterre 1-0 à Sydney et remporte pour la première fois la Coupe du monde féminine.",
        "Spanien hat England in Sydney mit 1:0 besiegt und zum ersten Mal die Frauen-Weltmeisterschaft gewonnen.",
        "España venció 1-0 a Inglaterra en Sídney y ganó por primera vez el Mundial femenino.",
    ),
    (
        "The tennis champion announced her retirement after losing in the first round of the tournament.",
        "La championne de tennis a annoncé sa retraite après avoir perdu au premier tour du tournoi.",
        "Die Tennismeisterin hat nach ihrer Niederlage in der ersten Runde des Turniers ihren Rücktritt angekündigt.",
        "La campeona de tenis anunció su retirada tras perder en la primera ronda del torneo.",
    ),
    (
        "Scientists have detected water vapour in the atmosphere of a planet 120 light years from Earth.",
        "Des scientifiques ont détecté de la vapeur d'eau dans l'atmosphère d'une planète située à 120 années-lumière de la Terre.",
        "Wissenschaftler haben Wasserdampf in der Atmosphäre eines 120 Lichtjahre von der Erde entfernten Planeten nachgewiesen.",
        "Los científicos han detectado vapor de agua en la atmósfera de un planeta situado a 120 años luz de la Tierra.",
    ),
    (
        "The space agency postponed the rocket launch because of a fuel leak discovered during the countdown.",
        "L'agence spatiale a reporté le lancement de la fusée en raison d'une fuite de carburant découverte pendant le compte à rebours.",
        "Die Raumfahrtbehörde hat den Raketenstart wegen eines während des Countdowns entdeckten Treibstofflecks verschoben.",
        "La agencia espacial aplazó el lanzamiento del cohete por una fuga de combustible descubierta durante la cuenta atrás.",
    ),
    (
        "Health authorities approved a new vaccine against malaria for children in Africa.",
        "Les autorités sanitaires ont approuvé un nouveau vaccin contre le paludisme pour les enfants en Afrique.",
        "Die Gesundheitsbehörden haben einen neuen Impfstoff gegen Malaria für Kinder in Afrika zugelassen.",
        "Las autoridades sanitarias aprobaron una nueva vacuna contra la malaria para los niños de África.",
    ),
    (
        "Police arrested two men suspected of stealing paintings worth millions from a museum in Amsterdam.",
        "La police a arrêté deux hommes soupçonnés d'avoir volé des tableaux valant des millions dans un musée d'Amsterdam.",
        "Die Polizei hat zwei Männer festgenommen, die verdächtigt werden, Gemälde im Wert von Millionen aus einem Amsterdamer Museum gestohlen zu haben.",
        "La policía detuvo a dos hombres sospechosos de robar cuadros valorados en millones en un museo de Ámsterdam.",
    ),
    (
        "A passenger train derailed in northern India, injuring at least 50 people.",
        "Un train de voyageurs a déraillé dans le nord de l'Inde, faisant au moins 50 blessés.",
        "Im Norden Indiens ist ein Personenzug entgleist; mindestens 50 Menschen wurden verletzt.",
        "Un tren de pasajeros descarriló en el norte de la India y dejó al menos 50 heridos.",
    ),
    (
        "World leaders agreed at the climate summit to triple renewable energy capacity by 2030.",
        "Les dirigeants mondiaux se sont mis d'accord lors du sommet sur le climat pour tripler les capacités d'énergie renouvelable d'ici 2030.",
        "Die Staats- und Regierungschefs haben sich auf dem Klimagipfel darauf geeinigt, die Kapazität erneuerbarer Energien bis 2030 zu verdreifachen.",
        "Los líderes mundiales acordaron en la cumbre del clima triplicar la capacidad de energías renovables para 2030.",
    ),
    (
        "The government unveiled a plan to build 500,000 new homes to ease the housing shortage.",
        "Le gouvernement a dévoilé un plan visant à construire 500 000 nouveaux logements pour réduire la pénurie.",
        "Die Regierung hat einen Plan vorgestellt, 500.000 neue Wohnungen zu bauen, um die Wohnungsnot zu lindern.",
        "El Gobierno presentó un plan para construir 500.000 viviendas nuevas con el fin de aliviar la escasez de vivienda.",
    ),
]
