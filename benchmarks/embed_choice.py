"""Which sentence embedder should story clustering use? Measure, then choose.

Run from the repository root::

    .venv/bin/python -m benchmarks.embed_choice

For each model that :mod:`tidings.stories.embed` knows it prints:

* speed: texts per second embedding ECB+ leads (title + first ~80 words) in
  batches of 64 on this machine's cores (noisy when the cores are shared);
* ECB+ pair separation on the train and dev splits (never test): ROC AUC of
  the cosine between two documents for "same gold event" against "different
  event", over all pairs and over the hard pairs only (same topic, so two
  similar events of one kind, e.g. two celebrity rehab stays);
* cross-lingual check on :data:`TRANSLATIONS` (20 news sentences written for
  Tidings in English, French, German and Spanish): the share of sentences whose
  nearest other sentence is one of its own translations, and the mean margin
  between the least similar translation and the most similar other sentence.

The ECB+ part is skipped with a message when the data folder is missing; the
cross-lingual part needs no data.

``--xl`` prints instead the calibration of the clusterer's cross-language floor
(``ClusterConfig.xl_shift``) on :data:`TRANSLATIONS` with the default embedder:
how much lower unrelated sentences score across languages than within one
(mean, 90th and 99th percentile), and BCubed scores of the online clusterer
over the 80 sentences (20 gold clusters, 20 random orders) for several shifts.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

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


def datasets_dir() -> Path:
    env = os.environ.get("TIDINGS_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


_DETOK = [
    (re.compile(r" ([,.;:!?%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$]) "), r"\1"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", re.I), r"\1"),
    (re.compile(r"\s*(``|'')\s*"), ' " '),
    (re.compile(r"(\w) - (\w)"), r"\1-\2"),
    (re.compile(r" / "), "/"),
    (re.compile(r"[ \t]+"), " "),
]


def detokenize(text: str) -> str:
    """Undo ECB+'s tokenisation (spaces around punctuation) well enough for embedding and keys."""
    for pattern, repl in _DETOK:
        text = pattern.sub(repl, text)
    return text.strip()


def ecb_title_and_text(raw: str) -> tuple[str, str]:
    """ECB+ documents have no title field: take the first line that is not a URL or a date-only line."""
    lines = [detokenize(line) for line in raw.split("\n") if line.strip()]
    body = [line for line in lines if not re.match(r"^(https?:|www\.)", line.replace(" ", ""))]
    if not body:
        return "", ""
    return body[0], "\n".join(body[1:])


def load_ecbplus(split: str | tuple[str, ...]) -> list[dict]:
    """ECB+ documents of one or more splits (``train``/``dev``/``test``), sorted by doc_id."""
    path = datasets_dir() / "ecbplus" / "ecbplus_docs.jsonl"
    splits = (split,) if isinstance(split, str) else split
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            if doc["split_cybulska_vossen"] in splits:
                docs.append(doc)
    docs.sort(key=lambda d: d["doc_id"])
    return docs


def lead(title: str, text: str, words: int = 80) -> str:
    return (title + "\n" + " ".join(text.split()[:words])).strip()


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    return float(roc_auc_score(y, np.r_[pos, neg]))


def ecb_separation(vectors: np.ndarray, docs: list[dict]) -> tuple[float, float]:
    """(AUC over all pairs, AUC over same-topic pairs) of cosine for same-subtopic pairs."""
    sims = vectors @ vectors.T
    sub = np.array([d["subtopic"] for d in docs])
    top = np.array([d["topic"] for d in docs])
    iu = np.triu_indices(len(docs), k=1)
    s = sims[iu]
    same = (sub[:, None] == sub[None, :])[iu]
    same_topic = (top[:, None] == top[None, :])[iu]
    return auc(s[same], s[~same]), auc(s[same], s[same_topic & ~same])


def crosslingual(embedder) -> tuple[float, float]:
    """(top-1 accuracy, mean margin) on :data:`TRANSLATIONS`."""
    texts = [t for row in TRANSLATIONS for t in row]
    group = np.repeat(np.arange(len(TRANSLATIONS)), len(LANGUAGES))
    v = embedder.embed(texts)
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    hits, margins = 0, []
    for i in range(len(texts)):
        same = group == group[i]
        same[i] = False
        other = group != group[i]
        hits += int(same[int(np.argmax(sims[i]))])
        margins.append(float(sims[i][same].min() - sims[i][other].max()))
    return hits / len(texts), float(np.mean(margins))


def xl_calibration(shifts: tuple[float, ...] = (0.0, 0.02, 0.04, 0.06, 0.08), orders: int = 20) -> int:
    """Print the cross-language cosine shift and clustering scores on :data:`TRANSLATIONS`."""
    import itertools
    import random
    from dataclasses import replace

    from benchmarks.ecbplus import bcubed
    from tidings.records import Article
    from tidings.stories.cluster import ClusterConfig, OnlineClusterer, features_for

    articles = [Article(id=f"{r}-{lang}", title="", text=text, language=lang)
                for r, row in enumerate(TRANSLATIONS) for lang, text in zip(LANGUAGES, row)]
    gold = [r for r in range(len(TRANSLATIONS)) for _ in LANGUAGES]
    feats = features_for(articles, None, ClusterConfig())
    v = np.stack([f.vector for f in feats])
    iu = np.triu_indices(len(feats), k=1)
    sims = (v @ v.T)[iu]
    row = np.array(gold)
    lang = np.array([a.language for a in articles])
    unrelated = row[iu[0]] != row[iu[1]]
    same_lang = lang[iu[0]] == lang[iu[1]]
    mono, cross = sims[unrelated & same_lang], sims[unrelated & ~same_lang]
    print("| unrelated sentence pairs | mean | p90 | p99 |")
    print("|---|---|---|---|")
    for label, s in (("same language", mono), ("across languages", cross)):
        print(f"| {label} ({len(s)}) | {s.mean():.3f} | {np.percentile(s, 90):.3f} | {np.percentile(s, 99):.3f} |")
    print(f"| shift (same - across) | {mono.mean() - cross.mean():.3f} | "
          f"{np.percentile(mono, 90) - np.percentile(cross, 90):.3f} | "
          f"{np.percentile(mono, 99) - np.percentile(cross, 99):.3f} |")
    print()
    print(f"| xl_shift | BCubed P | BCubed R | BCubed F1 ({orders} random orders, mean) |")
    print("|---|---|---|---|")
    for shift in shifts:
        config = replace(ClusterConfig(), xl_shift=shift)
        rng = random.Random(0)
        runs = []
        for _ in range(orders):
            order = list(range(len(feats)))
            rng.shuffle(order)
            counter = itertools.count(1)
            clusterer = OnlineClusterer(config, new_id=lambda counter=counter: f"s{next(counter)}")
            placed = {i: clusterer.place(feats[i]).story_id for i in order}
            runs.append(bcubed([clusterer.resolve(placed[i]) for i in range(len(feats))], gold))
        p, r, f = (float(np.mean([x[k] for x in runs])) for k in range(3))
        print(f"| {shift:.2f} | {p:.3f} | {r:.3f} | {f:.3f} |")
    return 0


def main() -> int:
    from tidings.stories.embed import DEFAULT_EMBEDDER, available_embedders, get_embedder

    if "--xl" in sys.argv[1:]:
        return xl_calibration()

    data_ok = (datasets_dir() / "ecbplus" / "ecbplus_docs.jsonl").exists()
    if not data_ok:
        print(f"ECB+ not found under {datasets_dir()}: skipping the speed and ECB+ columns.", file=sys.stderr)
    docs = load_ecbplus(("train", "dev")) if data_ok else []
    leads = [lead(*ecb_title_and_text(d["text"])) for d in docs]
    rows = []
    for name in available_embedders():
        t0 = time.perf_counter()
        emb = get_embedder(name)
        emb.embed(["warm up"])
        load_s = time.perf_counter() - t0
        row = {"model": name, "dim": emb.dim, "load_s": load_s}
        if data_ok:
            t0 = time.perf_counter()
            vec = emb.embed(leads, batch_size=64)
            row["texts_per_s"] = len(leads) / (time.perf_counter() - t0)
            for split in ("train", "dev"):
                idx = [i for i, d in enumerate(docs) if d["split_cybulska_vossen"] == split]
                row[f"{split}_auc"], row[f"{split}_auc_hard"] = ecb_separation(vec[idx], [docs[i] for i in idx])
        row["xling_acc"], row["xling_margin"] = crosslingual(emb)
        rows.append(row)

    cols = ["model", "dim", "load_s", "texts_per_s", "train_auc", "train_auc_hard", "dev_auc", "dev_auc_hard",
            "xling_acc", "xling_margin"]
    print(f"cores: {os.cpu_count()}; ECB+ leads embedded: {len(leads)}; default: {DEFAULT_EMBEDDER}")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        cells = []
        for c in cols:
            v = row.get(c, "n/a")
            cells.append(f"{v:.3f}" if isinstance(v, float) else str(v))
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
