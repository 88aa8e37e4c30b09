"""Routes of the COSOC elections: public pages, organizations' candidacy and vote, staff back-office."""

from starlette.routing import BaseRoute, Route

from portal.elections_web import views_org, views_public as pub, views_staff_actions as act, views_staff as staff, \
    views_trustees as trust

GP = ["GET", "POST"]
P = ["POST"]

routes: list[BaseRoute] = [
    Route("/elecciones", pub.elections_index),
    Route("/elecciones/{id}", pub.election_page),
    Route("/elecciones/{id}/participacion", pub.turnout),
    Route("/elecciones/{id}/participacion/en-vivo", pub.turnout_stream),
    Route("/elecciones/{id}/padron", pub.padron_page),
    Route("/elecciones/{id}/padron.txt", pub.padron_text),
    Route("/elecciones/{id}/resultados", pub.results_page),
    Route("/elecciones/{id}/boletin.json", pub.bulletin),
    Route("/elecciones/{id}/recibo", pub.receipt_lookup),
    Route("/elecciones/{id}/acta", pub.acta_page),
    Route("/elecciones/{id}/acta.pdf", pub.acta_pdf),
    Route("/elecciones/{id}/candidaturas/{cand_id}/foto", pub.candidate_photo),
    Route("/elecciones/{id}/candidatura", views_org.candidacy, methods=GP),
    Route("/elecciones/{id}/votar", views_org.ballot, methods=GP),
    Route("/elecciones/{id}/comprobante", views_org.receipt),
    Route("/elecciones/{id}/comprobante.txt", views_org.receipt_text, methods=P),
    Route("/elecciones/{id}/comprobante/imprimir", views_org.receipt_printable, methods=P),
    Route("/elecciones/{id}/registro.json", trust.record),
    Route("/elecciones/{id}/custodios", trust.ceremony),
    Route("/elecciones/{id}/custodios/{pos}", trust.trustee_page, methods=GP),
    Route("/elecciones/{id}/custodios/{pos}/lote.json", trust.batch),
    Route("/staff/elecciones", staff.election_list, methods=GP),
    Route("/staff/elecciones/{id}", staff.election_detail, methods=GP),
    Route("/staff/elecciones/{id}/fase", staff.phase_change, methods=P),
    Route("/staff/elecciones/{id}/padron", act.padron_page),
    Route("/staff/elecciones/{id}/padron/reclamos", act.padron_claim, methods=P),
    Route("/staff/elecciones/{id}/padron/certificar", staff.certify_padron, methods=P),
    Route("/staff/elecciones/{id}/reclamos", act.results_claim, methods=P),
    Route("/staff/elecciones/{id}/reclamos/{claim_id}", act.resolve_claim, methods=P),
    Route("/staff/elecciones/{id}/candidaturas", act.candidacies),
    Route("/staff/elecciones/{id}/candidaturas/{cand_id}", act.review, methods=P),
    Route("/staff/elecciones/{id}/sorteo", act.sorteo, methods=GP),
    Route("/staff/elecciones/{id}/custodios", trust.name_trustee, methods=P),
    Route("/staff/elecciones/{id}/escrutinio", staff.run_count, methods=P),
    Route("/staff/elecciones/{id}/proclamar", staff.proclaim, methods=P),
    Route("/staff/elecciones/{id}/vacantes", act.vacancy, methods=P),
]
