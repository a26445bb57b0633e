"""The blob store's temporary folder: what a crash leaves there is swept."""

from __future__ import annotations

import hashlib

import pytest


def test_temporary_files_left_by_a_crash_are_swept(settings, tmp_path):
    import os
    import time

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path
    old, _fh = blobstore.new_temp()
    _fh.write(b"x" * 1000)
    _fh.close()
    hour_ago = time.time() - 2 * 3600
    os.utime(old, (hour_ago, hour_ago))
    fresh, fh = blobstore.new_temp()  # a request still writing this one
    fh.close()
    assert blobstore.sweep_temp() == (1, 1000)
    assert not old.exists() and fresh.exists()


@pytest.mark.parametrize(
    ("path", "field", "size", "held"),
    [
        ("/exchange/v1/batch", "message-3", 10_000, True),
        ("/exchange/v1/messages", "message", 10_000, True),
        ("/exchange/v1/batch", "message-3", 300_000, False),  # too large to hold: a temporary file
        ("/exchange/v1/batch", "blob-ab", 10_000, False),  # a file is always staged on disk
        ("/exchange/v1/messages", "message-3", 10_000, False),
        ("/api/v1/documents", "message", 10_000, False),
    ],
)
def test_small_exchange_message_parts_are_held_in_memory(settings, tmp_path, path, field, size, held):
    """The edXML part of an exchange post is read once and never kept: a small one stays in memory (no
    temporary file written and read back); anything else is staged as a blob upload, whole."""
    from django.test import RequestFactory

    from congvan.documents.uploads import BlobUpload, BlobUploadHandler, HeldPart

    settings.CONGVAN_DATA_DIR = tmp_path
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    handler = BlobUploadHandler(RequestFactory().post(path))
    handler.new_file(field, "m.xml", "application/xml", size)
    for start in range(0, size, 65536):
        handler.receive_data_chunk(data[start : start + 65536], start)
    part = handler.file_complete(size)
    if held:
        assert isinstance(part, HeldPart) and part.data == data and part.size == size
    else:
        assert isinstance(part, BlobUpload) and part.size == size
        assert part.temp.read_bytes() == data and part.sha256 == hashlib.sha256(data).hexdigest()
        part.close()


@pytest.mark.parametrize(
    "size",
    [
        *(0, 1000, 256 * 1024 - 1, 256 * 1024, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 4095),
        *(20 * 1024 * 1024 + 5, 16 * 1024 * 1024),  # past a thread's buffer: written in several pieces
    ],
)
def test_held_content_is_written_whole_whatever_its_size(settings, tmp_path, size):
    """Content held in memory is written to its temporary file as it is: small content as usual, large
    content around the page cache in aligned blocks, its last partial block through the page cache."""
    import os

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path
    data = os.urandom(size)
    path = blobstore.write_temp(data)
    assert path.parent == blobstore.temp_dir() and path.read_bytes() == data
    final = blobstore.commit_temp(path, hashlib.sha256(data).hexdigest())
    assert final.read_bytes() == data and final.stat().st_mode & 0o777 == 0o440  # kept read-only
    sha, _size = blobstore.put_bytes(data)  # written through an open file: the same
    assert blobstore.blob_path(sha) == final and final.stat().st_mode & 0o777 == 0o440


@pytest.mark.parametrize("refused_at", ["open", "write"])
def test_a_filesystem_without_direct_writes_gets_the_content_as_usual(
    settings, tmp_path, monkeypatch, refused_at
):
    """Some filesystems refuse O_DIRECT (EINVAL, when the file is opened or first written): the content
    is written the ordinary way, whole, and that store is not tried again."""
    import errno
    import os

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path
    monkeypatch.setattr(blobstore, "_direct_refused", set())
    real_open, real_write, tried, direct_fds = os.open, os.write, [], set()

    def opening(path, flags, *args):
        if flags & blobstore._DIRECT:
            tried.append(path)
            if refused_at == "open":
                raise OSError(errno.EINVAL, "Invalid argument")
            fd = real_open(path, flags, *args)
            direct_fds.add(fd)
            return fd
        return real_open(path, flags, *args)

    def writing(fd, data):
        if fd in direct_fds:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", opening)
    monkeypatch.setattr(os, "write", writing)
    data = os.urandom(600 * 1024)
    first = blobstore.write_temp(data)
    second = blobstore.write_temp(data)
    assert first.read_bytes() == data and second.read_bytes() == data
    assert len(tried) == 1  # the second file was not tried directly
    assert sorted(p.name for p in blobstore.temp_dir().iterdir()) == sorted([first.name, second.name])


def test_a_failed_write_leaves_no_temporary_file(settings, tmp_path, monkeypatch):
    import errno
    import os

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError):
        blobstore.write_temp(os.urandom(600 * 1024))
    assert list(blobstore.temp_dir().iterdir()) == []


def _zip(comment: bytes = b"c" * 60_000) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.html", "<script>alert(1)</script>")
        z.comment = comment  # a long one puts its end record far from the end of the file
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"%PDF-1.7\n" + b"0" * 200_000 + b"\n%%EOF\n", None),
        (b"%PDF-1.7\n" + b"0" * 200_000 + b"\n%%EOF\r\n\x00 ", None),
        (b"%PDF-1.7\n" + b"0" * 200_000 + b"\n%%EOF\n<html>", "trailing"),
        (b"%PDF-1.7\n" + b"0" * 200_000, "incomplete"),
        (b"%PDF-1.7\n" + b"0" * 200_000 + b"\n%%EOF\n" + _zip(), "trailing"),
        (b"%PDF-1.7\n%%EOF\n", None),
        (b"%PDF-1.7\n%%EOF\n" + _zip(), "trailing"),
        # a ZIP whose comment ends the file as a PDF does: a polyglot all the same
        (b"%PDF-1.7\n" + b"0" * 200_000 + _zip(b"c" * 60_000 + b"\n%%EOF\n"), "zip"),
        (b"%PDF-1.7\n" + _zip(b"\n%%EOF\n"), "zip"),
    ],
)
def test_a_pdf_is_checked_the_same_from_its_tail_in_memory_or_from_the_disk(
    settings, tmp_path, content, problem
):
    from congvan.documents.uploads import stage_bytes
    from congvan.lib import filetypes

    settings.BLOB_DIR = tmp_path / "blobs"
    path = tmp_path / "f.pdf"
    path.write_bytes(content)
    assert filetypes.pdf_problem(path, len(content)) == problem
    assert filetypes.pdf_problem(path, len(content), content[-filetypes.TAIL :]) == problem
    path.unlink()  # nothing is read from the disk when the tail is held
    assert filetypes.pdf_problem(path, len(content), content[-filetypes.TAIL :]) == problem
    upload = stage_bytes("f.pdf", content)
    assert upload.tail == content[-filetypes.TAIL :]
    upload.close()


def test_a_temporary_folder_removed_meanwhile_is_made_again(settings, tmp_path):
    import shutil

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path
    blobstore.write_temp(b"x" * 10).unlink()
    shutil.rmtree(blobstore.temp_dir())  # an administrator tidying the store by hand
    assert blobstore.write_temp(b"y" * 300_000).read_bytes() == b"y" * 300_000
    path, fh = blobstore.new_temp()
    fh.close()
    assert path.parent == blobstore.temp_dir()


def test_temporary_names_differ_in_a_process_and_in_a_forked_one(settings, tmp_path):
    """A web server's workers forked from one process each name their temporary files apart."""
    import os

    from congvan.documents import blobstore

    settings.BLOB_DIR = tmp_path
    first, fh = blobstore.new_temp()
    fh.close()
    second, fh = blobstore.new_temp()
    fh.close()
    assert first != second
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next name, told to the parent
        try:
            child, fh = blobstore.new_temp()
            fh.close()
            os.write(write, child.name.encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child_name = os.read(read, 200).decode()
    os.close(read)
    prefix = lambda name: name.rsplit("-", 1)[0]  # noqa: E731
    assert child_name and prefix(child_name) != prefix(second.name)
    assert {p.name for p in tmp_path.joinpath("tmp").iterdir()} == {first.name, second.name, child_name}


@pytest.mark.once("sqlite")
@pytest.mark.django_db(transaction=True)
def test_migrate_moves_a_store_kept_in_two_levels_of_folders_and_back(api):
    from django.core.management import call_command

    from congvan.documents import blobstore
    from congvan.documents.models import DocumentFile
    from congvan.lib.pdfgen import simple_pdf

    for i in range(3):
        assert api["alice"].create_draft(file=simple_pdf([f"Van ban {i}"])).status_code == 201
    shas = sorted(set(DocumentFile.objects.values_list("blob_id", flat=True)))
    root = blobstore.root()
    contents = {sha: blobstore.blob_path(sha).read_bytes() for sha in shas}
    call_command("migrate", "documents", "0012", verbosity=0)  # back to the layout before 2026-12
    for sha in shas:
        assert not blobstore.blob_path(sha).exists()
        assert (root / sha[:2] / sha[2:4] / sha).read_bytes() == contents[sha]
    (root / shas[0][:2] / shas[0]).write_bytes(contents[shas[0]])  # a move interrupted half-way
    call_command("migrate", "documents", verbosity=0)
    for sha in shas:
        assert blobstore.blob_path(sha).read_bytes() == contents[sha]
        assert not (root / sha[:2] / sha[2:4]).exists()  # the emptied folder is gone
    call_command("fsck")  # sound: nothing missing, nothing orphaned
    assert blobstore.relayout(root, levels=1) == 0  # nothing left to move
