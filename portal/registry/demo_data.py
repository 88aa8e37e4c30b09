"""The demo organizations: (comuna, category, legal form, name, short name, areas, description, state).

`state` is the workflow state the demo puts each in; 'expired' is an approved organization whose
vigencia lies in the past, 'renewal' / 'category_change' an approved one with that request pending.
"""

from __future__ import annotations

ORGS: list[tuple[str, str, str, str, str, tuple[str, ...], str, str]] = [
    # Arica y Parinacota
    ("15101", "A", "asociacion", "Asociación de Mujeres Aymaras y Migrantes de Arica", "AMAMA", ("genero", "interculturalidad"),
     "Reúne a mujeres bolivianas, peruanas y aymaras de Arica; talleres de derechos laborales y redes de cuidado.", "approved"),
    ("15101", "B", "fundacion", "Fundación Frontera Norte", "", ("refugio", "regularizacion", "derechos_humanos"),
     "Orientación jurídica a personas que cruzan la frontera por Chacalluta y Colchane, con foco en solicitantes de refugio "
     "venezolanos.", "approved"),
    ("15101", "A", "organizacion_funcional", "Junta de Vecinos Migrantes Villa Frontera", "", ("vivienda",),
     "Organización de vecinos peruanos y bolivianos de Arica que gestiona mejoras de vivienda.", "draft"),
    # Tarapacá
    ("01101", "A", "asociacion", "Colectivo Venezolanos Unidos de Iquique", "CVUI", ("regularizacion", "trabajo"),
     "Acompañamos a familias venezolanas en su regularización migratoria y en la búsqueda de empleo formal en Iquique.",
     "approved"),
    ("01107", "B", "corporacion", "Corporación Alto Hospicio Acoge", "", ("ninez", "educacion", "salud"),
     "Apoyo escolar y acceso a salud para niñas y niños migrantes de Alto Hospicio.", "approved"),
    ("01401", "A", "asociacion", "Asociación Quechua-Aymara del Tamarugal", "", ("interculturalidad",),
     "Comunidad boliviana y peruana de Pozo Almonte que promueve la interculturalidad y las fiestas andinas.", "expired"),
    ("01101", "C", "universidad", "Universidad Arturo Prat — Observatorio de Movilidad Humana", "OMH-UNAP", ("investigacion",),
     "Investigación sobre movilidad humana en la macrozona norte y la frontera con Bolivia y Perú.", "approved"),
    # Antofagasta
    ("02101", "A", "asociacion", "Asociación Colombianos en Antofagasta", "ACA", ("trabajo", "derechos_humanos"),
     "Comunidad colombiana de Antofagasta: asesoría laboral, prevención de discriminación y actividades culturales.", "approved"),
    ("02101", "B", "fundacion", "Fundación Manos Abiertas del Norte", "", ("salud", "vivienda"),
     "Operativos de salud y apoyo habitacional en campamentos con alta presencia migrante de Antofagasta.", "in_review"),
    ("02201", "A", "asociacion", "Agrupación Boliviana de Calama", "", ("trabajo", "interculturalidad"),
     "Trabajadoras y trabajadores bolivianos de Calama organizados para defender sus derechos laborales.", "observed"),
    ("02101", "C", "centro_estudios", "Centro de Estudios Migratorios del Desierto", "CEMD", ("investigacion", "trabajo"),
     "Centro de estudios sobre trabajo migrante en la minería y los servicios.", "submitted"),
    # Atacama
    ("03101", "A", "asociacion", "Asociación Haitiana de Copiapó", "", ("regularizacion", "educacion"),
     "Clases de español y acompañamiento en trámites migratorios para la comunidad haitiana de Copiapó.", "approved"),
    ("03101", "B", "corporacion", "Corporación Atacama Intercultural", "", ("interculturalidad", "educacion"),
     "Educación intercultural en escuelas de Copiapó con estudiantes peruanos, bolivianos y venezolanos.", "withdrawn"),
    # Coquimbo
    ("04101", "B", "fundacion", "Fundación Puerto Seguro La Serena", "", ("refugio", "salud"),
     "Acogida y orientación a personas refugiadas y solicitantes de asilo en la Región de Coquimbo.", "approved"),
    ("04102", "A", "asociacion", "Colectivo Peruano de Coquimbo", "", ("trabajo",),
     "Comunidad peruana del puerto de Coquimbo; bolsa de empleo y apoyo mutuo.", "rejected"),
    ("04101", "C", "universidad", "Universidad de La Serena — Programa de Estudios Migratorios", "",
     ("investigacion", "educacion"),
     "Programa universitario que estudia la inclusión educativa de niñas y niños migrantes.", "category_change"),
    # Valparaíso
    ("05101", "A", "asociacion", "Colectivo Migrante de Valparaíso", "CMV", ("regularizacion", "derechos_humanos", "genero"),
     "Colectivo de personas venezolanas, colombianas y haitianas de los cerros de Valparaíso.", "approved"),
    ("05109", "B", "fundacion", "Fundación Mar de Todos", "", ("educacion", "ninez"),
     "Reforzamiento escolar y actividades recreativas para niñez migrante en Viña del Mar.", "approved"),
    ("05801", "B", "corporacion", "Corporación Quilpué Solidario", "", ("vivienda", "salud"),
     "Apoyo a familias migrantes de Quilpué en arriendo justo y acceso a la atención primaria.", "expired"),
    ("05101", "C", "universidad", "Pontificia Universidad Católica de Valparaíso — Núcleo de Migraciones", "", ("investigacion",),
     "Investigación interdisciplinaria sobre migraciones, derechos y ciudad.", "approved"),
    ("05109", "A", "organizacion_funcional", "Club Deportivo y Cultural Haitiano de Viña", "", ("interculturalidad",),
     "Club deportivo de la comunidad haitiana que organiza ligas y festivales culturales.", "submitted"),
    # Metropolitana
    ("13101", "B", "fundacion", "Fundación Raíces Migrantes", "", ("regularizacion", "derechos_humanos"),
     "Clínica jurídica gratuita para personas migrantes en Santiago centro: visas, permanencia definitiva y nacionalidad.",
     "approved"),
    ("13101", "A", "asociacion", "Asociación Venezolana en Chile", "ASOVEN", ("regularizacion", "trabajo", "salud"),
     "La mayor asociación de la comunidad venezolana en Santiago: orientación, empleo y salud mental.", "approved"),
    ("13127", "A", "asociacion", "Colectivo de Mujeres Haitianas de Recoleta", "", ("genero", "educacion"),
     "Mujeres haitianas de Recoleta que enseñan y aprenden español y promueven la autonomía económica.", "approved"),
    ("13108", "A", "asociacion", "Asociación de Residentes Peruanos de Independencia", "", ("interculturalidad", "trabajo"),
     "Comunidad peruana del barrio de La Vega y La Chimba: cultura, gastronomía y trabajo.", "approved"),
    ("13125", "A", "asociacion", "Fundación Haitiana de Quilicura", "", ("regularizacion", "ninez"),
     "Acompaña a familias haitianas de Quilicura en la inscripción de nacimientos y la regularización.", "approved"),
    ("13106", "B", "corporacion", "Corporación Estación Central Inclusiva", "", ("vivienda", "derechos_humanos"),
     "Mediación en conflictos de arriendo y denuncia de abusos en viviendas colectivas.", "approved"),
    ("13119", "B", "fundacion", "Fundación Niñez sin Fronteras", "", ("ninez", "educacion"),
     "Programas para niñas, niños y adolescentes migrantes no acompañados o separados de sus familias.", "approved"),
    ("13201", "A", "asociacion", "Agrupación Colombiana de Puente Alto", "", ("trabajo", "salud"),
     "Comunidad colombiana de Puente Alto: redes de apoyo, salud y empleo.", "expired"),
    ("13110", "B", "corporacion", "Corporación Encuentro Intercultural La Florida", "", ("interculturalidad",),
     "Encuentros culturales entre vecinos chilenos y migrantes en La Florida.", "withdrawn"),
    ("13101", "C", "universidad", "Universidad de Chile — Programa Interdisciplinario de Estudios Migratorios", "",
     ("investigacion", "derechos_humanos"),
     "Investigación y formación sobre migración, derechos humanos y políticas públicas.", "approved"),
    ("13114", "C", "centro_estudios", "Centro de Políticas Migratorias", "CPM", ("investigacion",),
     "Centro de estudios que produce datos y análisis sobre política migratoria en Chile.", "approved"),
    ("13101", "B", "fundacion", "Fundación Refugio Digno", "", ("refugio", "derechos_humanos"),
     "Acompañamiento psicosocial y jurídico a personas refugiadas y solicitantes de asilo.", "renewal"),
    ("13127", "A", "asociacion", "Asociación Dominicana de Recoleta", "", ("genero", "trabajo"),
     "Mujeres dominicanas organizadas contra la trata y por el trabajo digno.", "in_review"),
    ("13101", "A", "asociacion", "Colectivo Bolivianos en Santiago", "", ("interculturalidad", "regularizacion"),
     "Comunidad boliviana de Santiago: Alasitas, danzas y orientación migratoria.", "observed"),
    ("13125", "B", "organizacion_funcional", "Centro Comunitario Quilicura Diversa", "", ("educacion",),
     "Biblioteca comunitaria y clases de español para vecinos haitianos y venezolanos.", "draft"),
    ("13108", "A", "asociacion", "Red de Cocineras Peruanas", "", ("trabajo",),
     "Cooperativa de cocineras peruanas que promueve el emprendimiento.", "rejected"),
    ("13119", "A", "asociacion", "Asociación Ecuatoriana de Maipú", "", ("trabajo", "salud"),
     "Comunidad ecuatoriana de Maipú: apoyo mutuo y acceso a la salud.", "submitted"),
    # O'Higgins
    ("06101", "A", "asociacion", "Asociación de Trabajadores Agrícolas Haitianos de Rancagua", "",
     ("trabajo", "derechos_humanos"),
     "Temporeros haitianos organizados por condiciones dignas en el trabajo agrícola.", "approved"),
    ("06101", "B", "fundacion", "Fundación Valle Acoge", "", ("salud", "regularizacion"),
     "Orientación en salud y trámites migratorios para trabajadores del valle del Cachapoal.", "draft"),
    # Maule
    ("07101", "B", "corporacion", "Corporación Maule Migrante", "", ("trabajo", "vivienda"),
     "Apoyo a trabajadores migrantes de la fruta en el Maule: alojamiento y contratos.", "approved"),
    ("07301", "A", "asociacion", "Colectivo Venezolano de Curicó", "", ("regularizacion",),
     "Comunidad venezolana de Curicó que orienta sobre visas y permisos de residencia.", "expired"),
    ("07101", "C", "universidad", "Universidad de Talca — Centro de Estudios Interculturales", "",
     ("investigacion", "interculturalidad"),
     "Centro universitario de estudios interculturales y de migración rural.", "approved"),
    # Ñuble
    ("16101", "B", "fundacion", "Fundación Ñuble Inclusivo", "", ("educacion", "ninez"),
     "Inclusión escolar de niñas y niños migrantes en Chillán.", "approved"),
    # Biobío
    ("08101", "A", "asociacion", "Asociación Haitiana del Biobío", "", ("regularizacion", "educacion"),
     "Comunidad haitiana de Concepción: español, trámites y redes de apoyo.", "approved"),
    ("08110", "B", "corporacion", "Corporación Puerto Talcahuano Solidario", "", ("trabajo",),
     "Intermediación laboral para personas migrantes en el puerto de Talcahuano.", "in_review"),
    ("08101", "C", "universidad", "Universidad de Concepción — Laboratorio de Migraciones", "", ("investigacion",),
     "Laboratorio de investigación sobre migración en el sur de Chile.", "approved"),
    ("08101", "A", "asociacion", "Colectivo Colombiano de Concepción", "", ("interculturalidad", "genero"),
     "Mujeres colombianas que promueven la cultura del Pacífico colombiano y la prevención de violencias.", "withdrawn"),
    # Araucanía
    ("09101", "B", "fundacion", "Fundación Araucanía Hospitalaria", "", ("salud", "refugio"),
     "Acompañamiento en salud mental a personas migrantes y refugiadas en Temuco.", "approved"),
    ("09101", "A", "asociacion", "Asociación Venezolana de Temuco", "", ("trabajo",),
     "Comunidad venezolana de Temuco: empleo, validación de títulos y emprendimiento.", "observed"),
    # Los Ríos
    ("14101", "C", "universidad", "Universidad Austral — Núcleo de Estudios de Movilidad", "", ("investigacion",),
     "Núcleo de estudios sobre movilidad humana en el sur austral.", "approved"),
    ("14101", "B", "corporacion", "Corporación Valdivia Acoge", "", ("vivienda", "educacion"),
     "Apoyo a familias migrantes recién llegadas a Valdivia.", "approved"),
    # Los Lagos
    ("10101", "A", "asociacion", "Asociación Dominicana y Haitiana de Puerto Montt", "", ("trabajo", "regularizacion"),
     "Trabajadores de la industria salmonera de origen dominicano y haitiano.", "approved"),
    ("10101", "B", "fundacion", "Fundación Sur Migrante", "", ("derechos_humanos",),
     "Promoción de los derechos humanos de personas migrantes en Los Lagos.", "draft"),
    # Aysén
    ("11101", "B", "corporacion", "Corporación Patagonia Acoge", "", ("trabajo", "vivienda"),
     "Apoyo a trabajadores migrantes en Coyhaique y la Patagonia.", "approved"),
    ("11101", "A", "asociacion", "Colectivo Argentino-Chileno de Aysén", "", ("interculturalidad",),
     "Comunidad argentina y chilena de frontera en Aysén.", "submitted"),
    # Magallanes
    ("12101", "B", "fundacion", "Fundación Fin del Mundo Inclusivo", "", ("salud", "educacion"),
     "Acceso a salud y educación para personas migrantes en Punta Arenas.", "approved"),
    ("12101", "C", "centro_estudios", "Centro de Estudios Australes sobre Migración", "", ("investigacion",),
     "Estudios sobre migración en la Patagonia y la Antártica chilena.", "expired"),
    ("12101", "A", "asociacion", "Asociación de Residentes Paraguayos de Magallanes", "", ("trabajo", "interculturalidad"),
     "Comunidad paraguaya de Punta Arenas: trabajo, cultura y apoyo mutuo.", "approved"),
]

REP_NAMES = [
    "Carmen Rojas", "Jean-Baptiste Pierre", "Yolanda Mamani", "Luis Rodríguez", "Ana María Quispe", "Marie Joseph",
    "Carlos Pérez", "Daniela Gómez", "Rosa Condori", "José Hernández", "Mirlande Louis", "Patricia Flores",
    "Andrés Martínez", "Yesenia Castillo", "Fabiola Guerrero", "Wilson Paredes", "Sandra Morales", "Ricardo Vargas",
]
OBSERVATIONS = [
    "El certificado de directorio no indica la fecha de elección de la directiva; suba uno actualizado.",
    "La dirección informada no coincide con la de los estatutos. Corrija el domicilio o explique el cambio.",
    "Falta la firma del ministro de fe en la declaración de composición mayoritariamente migrante.",
]
REJECTIONS = [
    "La organización tiene fines de lucro según sus estatutos (cooperativa de trabajo); el registro es para "
    "organizaciones sin fines de lucro.",
    "Los estatutos no contemplan la promoción de los derechos de personas migrantes entre sus objetivos.",
]
