import zipfile

import pandas as pd
import pytest

from migration_pipeline.sources.export import ExportArchive, ExportError, normalize_header


def frames(archive, name, chunk_rows=50_000):
    return list(archive.read_chunks(name, chunk_rows))


def rows(archive, name):
    return [record for chunk in frames(archive, name) for record in chunk.frame.to_dict("records")]


@pytest.mark.parametrize("raw", [" Client ID ", "client-id", "CLIENT_ID", "\ufeffClient.Id"])
def test_headers_are_normalised(raw):
    assert normalize_header(raw) == "client_id"


def test_cp1252_file_with_semicolons_and_title_case_headers(tmp_path):
    (tmp_path / "Clients.CSV").write_bytes("Client ID;Client Name\nC-1;Café Müller\n".encode("cp1252"))
    archive = ExportArchive(tmp_path)
    assert rows(archive, "clients.csv") == [{"client_id": "C-1", "client_name": "Café Müller"}]


def test_utf8_with_bom_and_stray_cp1252_bytes(tmp_path):
    content = "\ufeffid,name\n1,Zoë\n".encode("utf-8") + "2,Renée\n".encode("cp1252")
    (tmp_path / "contacts.csv").write_bytes(content)
    assert [r["name"] for r in rows(ExportArchive(tmp_path), "contacts.csv")] == ["Zoë", "Renée"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_and_quoted_newlines(tmp_path, delimiter):
    text = f'id{delimiter}body\n1{delimiter}"line one\nline two"\n2{delimiter}"say ""hi"""\n'
    (tmp_path / "activities.csv").write_text(text, encoding="utf-8")
    assert [r["body"] for r in rows(ExportArchive(tmp_path), "activities.csv")] == ["line one\nline two", 'say "hi"']


def test_empty_and_missing_files_have_no_rows(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header_only.csv").write_text("id,name\n")
    archive = ExportArchive(tmp_path)
    assert frames(archive, "empty.csv") == []
    assert rows(archive, "header_only.csv") == []
    assert frames(archive, "absent.csv") == []


def test_blank_cells_are_missing_and_values_stay_text(tmp_path):
    (tmp_path / "m.csv").write_text("id,amount,note\n007,1e3,\n")
    [row] = rows(ExportArchive(tmp_path), "m.csv")
    assert row["id"] == "007" and row["amount"] == "1e3"
    assert pd.isna(row["note"])


def test_a_line_with_extra_fields_is_reported_not_dropped(tmp_path):
    (tmp_path / "t.csv").write_text("id,title\n1,ok\n2,too,many\n3,fine\n")
    chunks = frames(ExportArchive(tmp_path), "t.csv")
    assert [r["id"] for c in chunks for r in c.frame.to_dict("records")] == ["1", "3"]
    malformed = [m for c in chunks for m in c.malformed]
    assert len(malformed) == 1 and malformed[0].line == 3 and "expected 2 fields, saw 3" in malformed[0].message


def test_chunks_stream_and_number_rows_across_the_file(tmp_path):
    (tmp_path / "big.csv").write_text("id\n" + "".join(f"{i}\n" for i in range(10)))
    chunks = frames(ExportArchive(tmp_path), "big.csv", chunk_rows=4)
    assert [len(c.frame) for c in chunks] == [4, 4, 2]
    assert list(chunks[2].frame.index) == [8, 9]


def test_zip_export_wrapped_in_a_folder(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("export-2024/clients.csv", "client_id\nC-1\n")
        archive.writestr("export-2024/files/letter.pdf", b"%PDF")
    export = ExportArchive(path)
    assert rows(export, "clients.csv") == [{"client_id": "C-1"}]
    assert export.exists("files/letter.pdf") and export.size("files/letter.pdf") == 4
    assert not export.exists("files/other.pdf")


def test_something_that_is_no_export_is_refused(tmp_path):
    bogus = tmp_path / "export.txt"
    bogus.write_text("hello")
    with pytest.raises(ExportError, match="must be a folder or a ZIP"):
        ExportArchive(bogus)
