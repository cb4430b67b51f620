"""Held-out letters: written after the rules were tuned on the independent letters, and scored as they came (the
bench reports them beside the other two sets). Same format and kinds as ``tests/redaction_corpus_independent.py``;
every person, number and address is invented, numbers carry valid check digits."""
from __future__ import annotations

from tests.redaction_corpus_independent import Letter, _l

LETTERS: tuple[Letter, ...] = (
    _l("zh", "您好，我是欧阳娜娜的家长。孩子在实验小学三年级，班主任邓老师布置的作业太多，每天写到十一点。"
             "学校电话打不通，我的手机18912345670，邮箱ouyang.parent@example.cn。",
       [("欧阳娜娜", "name"), ("邓老师", "name"), ("18912345670", "phone"), ("ouyang.parent@example.cn", "email")],
       ["实验小学", "三年级", "十一点"],
       known={"name": "欧阳明", "phone": "18912345670"}),
    _l("zh", "投诉出租车拒载：12月1日晚十点在火车站东广场，车牌苏A·3K7P2的出租车拒绝去开发区。我当时和朋友宋佳在一起。"
             "付款记录可以查，我的招商银行卡号6225880137951233（如需核实）。",
       [("苏A·3K7P2", "plate"), ("宋佳", "name"), ("6225880137951233", "account")],
       ["12月1日", "火车站东广场", "开发区"],
       known={"name": "冯立", "phone": "13712345678"}),
    _l("zh", "我父亲唐振华在人民路45号开了二十年杂货店，现在因为道路改造要拆迁，补偿标准一直不公开。"
             "我们家住在人民路45号2楼。请住建局公开补偿方案。联系人：唐静 021-64001234",
       [("唐振华", "name"), ("人民路45号2楼", "address"), ("唐静", "name"), ("021-64001234", "phone")],
       ["二十年", "住建局", "补偿方案"],
       known={"name": "唐静", "phone": "02164001234"}),
    _l("zh", "关于医保报销：我叫Liu Fang，在医院登记的名字是刘芳。住院花了18600元，只报了30%。身份证330106198705210048。"
             "能不能重新审核？",
       [("Liu Fang", "name"), ("刘芳", "name"), ("330106198705210048", "id")],
       ["18600元", "30%"],
       known={"name": "Liu Fang", "email": "liufang@example.com"}),
    _l("zh", "小区门口的早餐摊占道经营，摊主老周说城管同意过。早上七点到九点人行道完全走不了。我家在锦华苑5栋2单元"
             "1101，孩子上学要绕到马路上走，很危险。微信同号13588889999。",
       [("老周", "name"), ("锦华苑5栋2单元1101", "address"), ("13588889999", "phone")],
       ["七点到九点", "城管"],
       known={"name": "曹丽", "phone": "13588889999"}),

    _l("en", "To whom it may concern, Mrs. Evelyn Okonkwo at 12 Abbey Road, Flat 6 has been without hot water for "
             "three weeks. I am her carer. The housing association reference is HA-22817. Please call me, "
             "Joseph Adeyemi, on 07911 234567.",
       [("Evelyn Okonkwo", "name"), ("12 Abbey Road, Flat 6", "address"), ("Joseph Adeyemi", "name"),
        ("07911 234567", "phone")],
       ["three weeks", "housing association"],
       known={"name": "Joseph Adeyemi", "phone": "07911234567"}),
    _l("en", "The recycling truck damaged my fence on Tuesday. The crew supervisor, Luis Ortega, took photos and said the "
             "council would pay. It has been a month. Repair quote: $540. My SSN is not needed I hope, but my "
             "account for the refund is IBAN DE89 3704 0044 0532 0130 00.",
       [("Luis Ortega", "name"), ("DE89 3704 0044 0532 0130 00", "account")],
       ["Tuesday", "$540", "a month"],
       known={"name": "Greta Hansen", "email": "greta.h@example.de"}),
    _l("en", "Praise for bus driver Amir on route 9 who waited for my blind father at Central Station every morning "
             "this month. Dad (Harold Price) wants to say thank you. I'm Claire Price, claire.price@example.com.",
       [("Amir", "name"), ("Harold Price", "name"), ("Claire Price", "name"), ("claire.price@example.com", "email")],
       ["route 9", "Central Station", "this month"],
       known={"name": "Claire Price", "email": "claire.price@example.com"}),
    _l("en", "Someone parks a red pickup, reg. KX19 BNF, across my driveway every night. I live at 40 Church Lane. "
             "The owner is Darren, from number 42, I believe. Instagram @church_lane_40 has the pictures.",
       [("KX19 BNF", "plate"), ("40 Church Lane", "address"), ("Darren", "name"), ("@church_lane_40", "handle")],
       ["every night"],
       known={"name": "Megan Shaw", "phone": "+447700123456"}),
    _l("en", "I want to appeal a fine. Officer Kowalski stopped me on Bridge Street on 14 November and said I ran a red "
             "light, but the light was broken (other people reported it, case 2026-000611). Driver licence holder: "
             "Samuel Otieno, phone +1 646 555 0199.",
       [("Kowalski", "name"), ("Samuel Otieno", "name"), ("+1 646 555 0199", "phone")],
       ["Bridge Street", "14 November", "2026-000611"],
       known={"name": "Samuel Otieno", "phone": "+16465550199"}),

    _l("es", "Buenas tardes: la farmacia de guardia de la Avda. Reina Victoria no abre por la noche aunque figura en el "
             "calendario. Mi suegra, Remedios Cano, necesitó insulina el sábado. Me llamo Óscar Delgado y mi "
             "teléfono es 644 55 66 77.",
       [("Remedios Cano", "name"), ("Óscar Delgado", "name"), ("644 55 66 77", "phone")],
       ["Avda. Reina Victoria", "el sábado", "farmacia de guardia"],
       known={"name": "Óscar Delgado", "phone": "644556677"}),
    _l("es", "Solicito el cambio de titularidad del nicho de mi padre, Ramón Esteban Gil (DNI 71234098Q), fallecido en "
             "2025. Yo resido en C/ Cuchilleros 7, bajo, y mi correo es lesteban@example.es. Luisa Esteban.",
       [("Ramón Esteban Gil", "name"), ("71234098Q", "id"), ("C/ Cuchilleros 7, bajo", "address"),
        ("lesteban@example.es", "email"), ("Luisa Esteban", "name")],
       ["2025", "cambio de titularidad"],
       known={"name": "Luisa Esteban", "email": "lesteban@example.es"}),
    _l("es", "La Lic. Montserrat Ribas, de la oficina de empleo, me atendió muy bien y me ayudó con el paro. Quiero que "
             "conste mi agradecimiento. Atentamente, Khadija El Amrani, NIE X6543210D.",
       [("Montserrat Ribas", "name"), ("Khadija El Amrani", "name"), ("X6543210D", "id")],
       ["oficina de empleo"],
       known={"name": "Khadija El Amrani"}),
    _l("es", "Denuncio una furgoneta blanca 9876 HJK que descarga escombros en el solar de la calle Olivar cada "
             "domingo. El conductor se llama Nicolás y trabaja para Reformas Pérez. Mi WhatsApp: 699 88 77 66.",
       [("9876 HJK", "plate"), ("Nicolás", "name"), ("699 88 77 66", "phone")],
       ["calle Olivar", "cada domingo"],
       known={"name": "Adela Rubio", "phone": "699887766"}),
    _l("es", "Me cobraron la tasa de basuras dos veces (96 euros) en la tarjeta 6011 0099 8877 6659. Soy Hugo Serrano, "
             "vivo en Pº de la Castellana 200, 5º C. Expediente anterior 2026-000054.",
       [("6011 0099 8877 6659", "account"), ("Hugo Serrano", "name"), ("Pº de la Castellana 200, 5º C", "address")],
       ["96 euros", "2026-000054", "tasa de basuras"],
       known={"name": "Hugo Serrano", "email": "hugo.s@example.es"}),
)
