"""Importing service points (CSV, GeoJSON, CLI), and the demo generator."""

import json

from sqlalchemy import func, select

from connector.logistics.importer import import_points
from connector.logistics.models import ServicePoint

GOOD = ("code,name,lat,lon,type,commune_code,address,daily_capacity,opening_hours\n"
        "48201,Bưu cục Hải Lăng,16.7002,107.2420,buu_cuc,19702,QL1A,120,T2-T6 07:00-17:00; T7 07:00-11:30\n"
        "BD19702,BĐVHX Hải Lăng,16.7300,107.2100,bdvhx,19702,,25,\n")


def count(db_session) -> int:
    return db_session.scalar(select(func.count(ServicePoint.id)))


def test_a_csv_imports_and_importing_it_again_updates_by_code(db_session):
    result = import_points(GOOD.encode(), "points.csv")
    assert (result.created, result.updated, result.errors) == (2, 0, [])
    office = db_session.scalar(select(ServicePoint).where(ServicePoint.code == "48201"))
    assert office.kind == "buu_cuc" and office.daily_capacity == 120
    assert office.opening_hours["5"] == [["07:00", "11:30"]] and "6" not in office.opening_hours
    again = import_points(GOOD.replace(",120,", ",150,").encode(), "points.csv")
    assert (again.created, again.updated) == (0, 2)
    db_session.refresh(office)
    assert office.daily_capacity == 150 and count(db_session) == 2


def test_geojson_points_import_with_longitude_first(db_session):
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [107.19, 16.75]},
         "properties": {"code": "G1", "name": "Điểm Hải Lăng", "type": "agent", "daily_capacity": 10}}]}
    result = import_points(json.dumps(document).encode(), "points.geojson")
    assert result.created == 1 and not result.errors
    point = db_session.scalar(select(ServicePoint).where(ServicePoint.code == "G1"))
    assert (point.lat, point.lon, point.kind) == (16.75, 107.19, "agent")


def test_bad_rows_are_all_reported_in_vietnamese_and_nothing_is_imported(db_session):
    before = count(db_session)
    bad = ("code,name,lat,lon,daily_capacity,opening_hours\n"
           "P1,Một,16.7,107.2,10,\n"
           "P1,Trùng mã,16.7,107.2,10,\n"
           "P2,Thiếu tọa độ,,107.2,10,\n"
           "P3,Giờ sai,16.7,107.2,10,T2-T6 7h-17h\n"
           "P4,Sức chứa âm,16.7,107.2,-5,\n"
           "P5,Ở Paris,48.85,2.35,10,\n")
    result = import_points(bad.encode(), "bad.csv")
    found = {(e.row, e.column): e.message for e in result.errors}
    assert found[(3, "code")] == "Mã P1 đã có ở dòng 2."
    assert found[(4, "lat")].startswith("Cần tọa độ")
    assert found[(5, "opening_hours")].startswith("Không đọc được giờ mở cửa")
    assert found[(6, "daily_capacity")] == "Sức chứa không được âm."
    assert found[(7, "lat")] == "Vị trí này không ở Việt Nam (kiểm tra vĩ độ và kinh độ)."
    assert count(db_session) == before


def test_a_missing_required_column_is_refused(db_session):
    result = import_points(b"code,name,lat\nX,Y,16\n", "x.csv")
    assert any(e.column == "lon" for e in result.errors) and count(db_session) == 0


def test_cli_import_and_generate(runner, tmp_path, db_session):
    good = tmp_path / "points.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert "2 created" in runner.invoke(args=["service-points", "import", str(good)]).output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,lat,lon\nZ,Z,,\n", encoding="utf-8")
    refused = runner.invoke(args=["service-points", "import", str(bad)])
    assert refused.exit_code == 1 and "row 2, lat:" in refused.output
    generated = runner.invoke(args=["service-points", "generate", "--province", "44"])
    assert generated.exit_code == 0, generated.output
    points = db_session.scalars(select(ServicePoint).where(ServicePoint.generated.is_(True))).all()
    communes = {p.commune_code for p in points if p.kind == "bdvhx"}
    offices = [p for p in points if p.kind == "buu_cuc"]
    assert len(communes) == len([p for p in points if p.kind == "bdvhx"]) > 50  # one per commune of Quảng Trị
    assert len(offices) == -(-len(communes) // 10)  # one per ~10 communes
    again = runner.invoke(args=["service-points", "generate", "--province", "44"])
    assert "0 created" in again.output  # re-running updates, never doubles
    assert runner.invoke(args=["service-points", "generate"]).exit_code == 2


def test_a_service_points_phone_is_kept_in_e164_and_a_bad_one_refused(db_session):
    good = ("code,name,lat,lon,phone\n"
            "48201,Bưu cục Hải Lăng,16.7002,107.2420,0233 3861 234\n")
    assert import_points(good.encode(), "points.csv").errors == []
    office = db_session.scalar(select(ServicePoint).where(ServicePoint.code == "48201"))
    assert office.phone == "+842333861234"
    bad = import_points("code,name,lat,lon,phone\nP9,Điểm,16.7,107.2,12345\n".encode(), "bad.csv")
    assert [(e.row, e.column) for e in bad.errors] == [(2, "phone")]
    assert "không hợp lệ" in bad.errors[0].message
