"""odil (Debian python3-odil) as a DICOM peer of the interoperability tests.

  store PORT CALLED_AE native|as-file FILE...   C-STORE each file; prints one JSON line per file with the
                                               C-STORE-RSP status and error comment. `native` proposes
                                               Explicit VR Little Endian only and sends the data set as
                                               read (as the `odil store` command does); `as-file` proposes
                                               each file's own transfer syntax.
  find PORT CALLED_AE patient|study JSON        C-FIND with the keys of JSON ({keyword: value or null});
                                               prints the answers as a JSON array of DICOM JSON.
  scp PORT                                      Verification and Storage SCP (odil's default acceptor);
                                               prints READY, then `STORED <sop uid>` per object.
  frames BASE_URL AUTHORIZATION STUDY SERIES SOP FRAME
                                               WADO-RS frame request built and parsed by odil's
                                               webservices classes; prints the parsed parts as JSON.
The calling AE title is always ODILSCU.
"""

import http.client
import json
import sys
import urllib.parse

import odil

CALLING_AE = "ODILSCU"
SCU = odil.AssociationParameters.PresentationContext.Role.SCU


def decoded(value):
    return value.decode() if isinstance(value, bytes) else value


EXPLICIT_LE = decoded(odil.registry.ExplicitVRLittleEndian)
IMPLICIT_LE = decoded(odil.registry.ImplicitVRLittleEndian)


def associate(port, called_ae, contexts):
    association = odil.Association()
    association.set_peer_host("127.0.0.1")
    association.set_peer_port(port)
    association.update_parameters().set_calling_ae_title(CALLING_AE).set_called_ae_title(
        called_ae
    ).set_presentation_contexts(contexts)
    association.associate()
    return association


def read(path):
    with odil.open(path) as stream:
        return odil.Reader.read_file(stream)


def text(data_set, tag):
    return decoded(data_set.as_string(tag)[0])


def store(port, called_ae, mode, paths):
    objects = [(path,) + tuple(read(path)) for path in paths]
    syntaxes = {}
    for _, meta, data_set in objects:
        wanted = (
            text(meta, odil.registry.TransferSyntaxUID)
            if mode == "as-file"
            else EXPLICIT_LE
        )
        syntaxes.setdefault(text(data_set, odil.registry.SOPClassUID), set()).add(wanted)
    contexts, context_of = [], {}
    for sop_class, wanted in sorted(syntaxes.items()):
        for syntax in sorted(wanted):
            context_id = 2 * len(contexts) + 1
            contexts.append(odil.AssociationParameters.PresentationContext(context_id, sop_class, [syntax], SCU))
            context_of[(sop_class, syntax)] = context_id
    association = associate(port, called_ae, contexts)
    for path, meta, data_set in objects:
        sop_class = text(data_set, odil.registry.SOPClassUID)
        request = odil.messages.CStoreRequest(
            association.next_message_id(), sop_class, text(data_set, odil.registry.SOPInstanceUID), 0, data_set
        )
        # odil's StoreSCU hides the response status; send the request and read the response ourselves.
        syntax = text(meta, odil.registry.TransferSyntaxUID) if mode == "as-file" else EXPLICIT_LE
        association.send_message(request, sop_class)
        command = association.receive_message().get_command_set()
        status = command.as_int(odil.registry.Status)[0]
        comment = text(command, odil.registry.ErrorComment) if command.has(odil.registry.ErrorComment) else ""
        print(json.dumps({"file": path, "syntax": syntax, "status": status, "comment": comment}), flush=True)
    association.release()


def find(port, called_ae, root, keys):
    query = odil.DataSet()
    for keyword, value in keys.items():
        if value is None:
            query.add(keyword)
        else:
            query.add(keyword, value.split("\\"))
    sop_class = getattr(odil.registry, root.capitalize() + "RootQueryRetrieveInformationModelFind")
    context = odil.AssociationParameters.PresentationContext(
        1, sop_class, [EXPLICIT_LE, IMPLICIT_LE], SCU
    )
    association = associate(port, called_ae, [context])
    scu = odil.FindSCU(association)
    scu.set_affected_sop_class(sop_class)
    answers = [json.loads(odil.as_json(data_set)) for data_set in scu.find(query)]
    association.release()
    print(json.dumps(answers))


def scp(port):
    print("READY", flush=True)
    while True:
        association = odil.Association()
        association.receive_association("v4", port)
        dispatcher = odil.SCPDispatcher(association)
        echo = odil.EchoSCP(association)
        echo.set_callback(lambda message: 0)
        dispatcher.set_echo_scp(echo)

        def stored(request):
            print("STORED", text(request.get_data_set(), odil.registry.SOPInstanceUID), flush=True)
            return 0

        storage = odil.StoreSCP(association)
        storage.set_callback(stored)
        dispatcher.set_store_scp(storage)
        try:
            while True:
                dispatcher.dispatch()
        except (odil.AssociationReleased, odil.AssociationAborted):
            pass


def frames(base_url, authorization, study, series, sop, frame):
    base = urllib.parse.urlsplit(base_url)
    url = odil.webservices.URL()
    url.scheme, url.authority, url.path = base.scheme, base.netloc, base.path
    wado = odil.webservices.WADORSRequest(url)
    selector = odil.webservices.Selector({"studies": study, "series": series, "instances": sop}, [int(frame)])
    wado.request_pixel_data(selector, "application/octet-stream")
    request = wado.get_http_request()
    target = request.get_target()
    connection = http.client.HTTPConnection(base.netloc)
    headers = dict(request.get_headers())
    headers["Authorization"] = authorization
    connection.request(request.get_method(), target.path + ("?" + target.query if target.query else ""), headers=headers)
    response = connection.getresponse()
    body = response.read()
    parsed = odil.webservices.WADORSResponse(
        odil.webservices.HTTPResponse(
            "HTTP/1.1", response.status, response.reason, {k.title(): v for k, v in response.getheaders()}, body
        )
    )
    print(json.dumps({"status": response.status, "parts": [{"location": b.location, "length": len(b.data)} for b in parsed.get_bulk_data()]}))


def main(argv):
    command = argv[0]
    if command == "store":
        store(int(argv[1]), argv[2], argv[3], argv[4:])
    elif command == "find":
        find(int(argv[1]), argv[2], argv[3], json.loads(argv[4]))
    elif command == "scp":
        scp(int(argv[1]))
    elif command == "frames":
        frames(*argv[1:7])
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])
