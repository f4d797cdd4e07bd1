"""Small OECD STI Scoreboard patent files in the real layout (SDMX-ML 3.0 structure-specific
data messages, as in ``../shared/data/raw/oecd_sti_patents_by_tech``), for the tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?><!--NSI Web Service v8.19.2.3-->'
    '<message:StructureSpecificData '
    'xmlns:ss="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific" '
    'xmlns:footer="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message/footer" '
    'xmlns:ns1="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure='
    'OECD.STI.PIE:DSD_PATENTS(1.0):compact" '
    'xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message" '
    'xmlns:common="http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:xml="http://www.w3.org/XML/1998/namespace"><message:Header>'
    '<message:ID>IREF008192</message:ID><message:Test>false</message:Test>'
    '<message:Prepared>{prepared}</message:Prepared><message:Sender id="Disseminate_Final_DMZ" />'
    '<message:DataSetID>{dataset}</message:DataSetID>'
    '<message:DataSetAction>Information</message:DataSetAction></message:Header>'
    '<ns1:DataSet action="Information">'
)
TAIL = "</ns1:DataSet></message:StructureSpecificData>"
SERIES = {"PATENT_AUTHORITIES": "9P50_3", "FREQ": "A", "MEASURE": "PF",
          "UNIT_MEASURE": "PATN_FM", "DATE_TYPE": "PRIORITY", "REF_AREA": None,
          "PARTNER_AREA": "_Z", "AGENT_ROLE": "INVENTOR", "COOPERATION_TYPE": "_Z", "WIPO": "_Z",
          "OECD_TECHNOLOGY_PATENT": None, "DECIMALS": "1", "UNIT_MULT": "0"}
FILES = {"_T": "IP5_NB_V8.txt", "ICT": "IP5ICT_NB_V8.txt", "AI": "IP5AI_NB_V8.txt",
         "BIOTECH": "IP5BIOT_NB_V8.txt", "NANOTECH": "IP5NANO_NB_V8.txt",
         "MEDICAL": "IP5MEDT_NB_V8.txt", "ENV_TECH": "IP5ENV_NB_V8.txt"}


def series(area: str | None, tech: str, values: Mapping[int, float | str],
           **override: str | None) -> str:
    """One ``<ns1:Series>`` element; ``override`` replaces (None: drops) attributes."""
    attrs = {**SERIES, "REF_AREA": area, "OECD_TECHNOLOGY_PATENT": tech, **override}
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items() if v is not None)
    obs = "".join(f'<ns1:Obs TIME_PERIOD="{y}" OBS_VALUE="{v}" OBS_STATUS="A" />'
                  for y, v in values.items())
    return f"<ns1:Series {text}>{obs}</ns1:Series>"


def document(parts: Iterable[str], prepared: str = "2025-04-09T11:02:50",
             dataset: str = "DSD_PATENTS") -> str:
    return HEAD.format(prepared=prepared, dataset=dataset) + "".join(parts) + TAIL


def write_field(folder: Path, tech: str, data: Mapping[str, Mapping[int, float]],
                name: str | None = None) -> Path:
    """A file of one technology field: ``data`` maps REF_AREA → {year: value}."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or FILES.get(tech, f"IP5{tech}_NB_V8.txt"))
    path.write_text(document(series(area, tech, values) for area, values in data.items()),
                    encoding="utf-8")
    return path
