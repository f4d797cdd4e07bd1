"""Small ATOP v4 member-level files in the real layout (the published file's 105 columns)."""

from __future__ import annotations

from pathlib import Path

_HEADER_TEXT = (
    "atopid,cowid,cow4id,member,cowsys,yrent,moent,dayent,yrexit,moexit,dayexit,ineffect,bilat,"
    "phase,maxphase,wartime,cowwar,estmode,pubsecr,secrart,proadd,futmem,speclgth,length,"
    "renounce,proren,renewlgt,term,termmode,termcaus,defense,offense,neutral,nonagg,consul,"
    "active,conditio,defcon,offcon,neucon,concon,defcoadv,defcoloc,defcocon,defconum,defcodem,"
    "defconpr,offcoadv,offcoloc,offcocon,offconum,offcodem,neucoadv,neucoloc,neucocon,neuconum,"
    "neucodem,neuconpr,neucoatt,concoadv,concoloc,concocon,concoreq,olimob,asymm,obvary,"
    "notaiden,dipaid,terrres,seppeace,thirdcom,noothall,specthrt,statthr1,statthr2,conwtin,"
    "medarb,milcon,milaid,intcom,subord,organ1,orgpurp1,organ2,orgpurp2,base,contrib,armred,"
    "acqterr,divgains,demwith,reflnun,refothio,natrefal,compag,nomicoop,conres,agprois,conmen,"
    "ecaid,interv,source,new4,rev4,version")
HEADER = tuple(_HEADER_TEXT.split(","))


def member_row(atopid: int, member: int, yrent: int, yrexit: int = 0, *, phase: int = 0,
               obligations: tuple[str, ...] = ("consul",), **fields: object) -> dict[str, object]:
    """One member record: every column 0 except those given (and blank cowid/cow4id)."""
    row: dict[str, object] = {c: 0 for c in HEADER}
    row.update(cowid="", cow4id="", atopid=atopid, member=member, yrent=yrent, moent=1,
               dayent=1, yrexit=yrexit, moexit=12 if yrexit else 0, dayexit=31 if yrexit else 0,
               phase=phase, bilat=1, version=4.01)
    for name in obligations:
        row[name] = 1
    row.update(fields)
    return row


def write_members(path: Path, rows: list[dict[str, object]]) -> Path:
    lines = [",".join(HEADER)] + [",".join(str(r[c]) for c in HEADER) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
