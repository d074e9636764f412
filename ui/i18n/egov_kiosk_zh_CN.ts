<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en_US">
<context>
    <name>AttractScreen</name>
    <message>
        <source>Welcome to the self-service terminal</source>
        <translation>欢迎使用政务服务自助终端</translation>
    </message>
    <message>
        <source>Touch a service to begin</source>
        <translation>请点击您要办理的事项</translation>
    </message>
</context>
<context>
    <name>BusyScreen</name>
    <message>
        <source>Printing your receipt…</source>
        <translation>正在打印回执…</translation>
    </message>
    <message>
        <source>Submitting your application…</source>
        <translation>正在提交申请…</translation>
    </message>
    <message>
        <source>Please take your receipt from the slot below the screen.</source>
        <translation>请从屏幕下方出纸口取走回执。</translation>
    </message>
    <message>
        <source>Please wait a moment and do not leave yet.</source>
        <translation>请稍候，暂时不要离开。</translation>
    </message>
    <message>
        <source>Receipt number: %1</source>
        <translation>受理编号：%1</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <source>Your application has been submitted</source>
        <translation>您的申请已提交</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Please take your receipt. Keep it to check the progress of your application.</source>
        <translation>请取走回执并妥善保管，凭回执可查询办理进度。</translation>
    </message>
    <message>
        <source>The printer is unavailable. Please note this number.</source>
        <translation>打印机暂不可用，请记下此受理编号。</translation>
    </message>
    <message>
        <source>Scan this code with your phone to keep a copy of your receipt. Staff have been told about the printer.</source>
        <translation>请用手机扫描此二维码保存回执信息。已通知工作人员处理打印机。</translation>
    </message>
    <message>
        <source>Nothing of your application stays on this screen once you touch “Finish”.</source>
        <translation>点击“完成”后，您的信息将从本机屏幕上清除。</translation>
    </message>
    <message>
        <source>Returning to the start screen in %1 s</source>
        <translation>%1 秒后自动返回首页</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>FaceScreen</name>
    <message>
        <source>Is this photo clear?</source>
        <translation>照片是否清晰？</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>请正视摄像头</translation>
    </message>
    <message>
        <source>Your whole face should be visible, without a hat or sunglasses.</source>
        <translation>请露出完整面部，不要戴帽子或墨镜。</translation>
    </message>
    <message>
        <source>Place your face inside the oval, then touch “Take photo”.</source>
        <translation>请将面部置于椭圆框内，然后点击“拍照”。</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Take again</source>
        <translation>重新拍摄</translation>
    </message>
    <message>
        <source>Use this photo</source>
        <translation>使用这张照片</translation>
    </message>
</context>
<context>
    <name>FormField</name>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日，如 2024-05-01</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <source>Fill in the form</source>
        <translation>填写表单</translation>
    </message>
    <message>
        <source>Check the answers filled in from your document and complete the rest.</source>
        <translation>请核对根据证件自动填写的内容，并补充其余信息。</translation>
    </message>
    <message>
        <source>Next: check your application</source>
        <translation>下一步：核对申请信息</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>Government Services Self-Service</source>
        <translation>政务服务自助终端</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <source>Place your ID card on the reader</source>
        <translation>请将证件放在读卡区</translation>
    </message>
    <message>
        <source>Resident ID card: lay it flat on the reader below the screen. Passport: open it at the photo page and place it face down.</source>
        <translation>居民身份证：平放在屏幕下方的读卡区。护照：翻到照片页，照片面朝下放置。</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>读卡区</translation>
    </message>
    <message>
        <source>Passport found. Type the passport number, your date of birth and the expiry date as printed on the photo page (dates as YYMMDD), or the 6-digit card access number (CAN).</source>
        <translation>已识别到护照。请按照片页上的内容输入护照号码、出生日期和有效期至（日期为六位数字 YYMMDD），或输入 6 位卡片访问码（CAN）。</translation>
    </message>
    <message>
        <source>Please check: passport number letters and digits, dates as six digits (YYMMDD), CAN as six digits.</source>
        <translation>请检查：护照号码为字母和数字，日期为六位数字（YYMMDD），CAN 为六位数字。</translation>
    </message>
    <message>
        <source>The passport did not accept these details. Please check them and try again.</source>
        <translation>护照芯片未接受以上信息，请核对后重试。</translation>
    </message>
    <message>
        <source>Passport number</source>
        <translation>护照号码</translation>
    </message>
    <message>
        <source>Date of birth (YYMMDD)</source>
        <translation>出生日期（YYMMDD）</translation>
    </message>
    <message>
        <source>Expiry date (YYMMDD)</source>
        <translation>有效期至（YYMMDD）</translation>
    </message>
    <message>
        <source>or card access number (CAN)</source>
        <translation>或卡片访问码（CAN）</translation>
    </message>
    <message>
        <source>Open the passport</source>
        <translation>读取护照</translation>
    </message>
    <message>
        <source>Keep the document still until the next screen appears.</source>
        <translation>请保持证件不动，直到进入下一页面。</translation>
    </message>
    <message>
        <source>Demonstration: choose a sample document to place on the simulated reader</source>
        <translation>演示模式：请选择一份示例证件放到模拟读卡器上</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <source>For your privacy, your application will be cleared when the countdown ends. Touch the screen to continue.</source>
        <translation>为保护您的隐私，倒计时结束后将清除本次填写的信息。点击屏幕可继续办理。</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Government Services Self-Service</source>
        <translation>政务服务自助终端</translation>
    </message>
</context>
<context>
    <name>NavBar</name>
    <message>
        <source>Start again</source>
        <translation>返回首页</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消办理</translation>
    </message>
    <message>
        <source>‹ Back</source>
        <translation>‹ 返回上一步</translation>
    </message>
    <message>
        <source>Staff are on their way</source>
        <translation>工作人员马上就到</translation>
    </message>
    <message>
        <source>Call staff</source>
        <translation>呼叫工作人员</translation>
    </message>
</context>
<context>
    <name>NoticeScreen</name>
    <message>
        <source>Before you apply</source>
        <translation>申报须知</translation>
    </message>
    <message>
        <source>Please have ready</source>
        <translation>请准备以下材料</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>收费标准</translation>
    </message>
    <message>
        <source>Processing time</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Collection</source>
        <translation>领取方式</translation>
    </message>
    <message>
        <source>I have read it, continue</source>
        <translation>我已阅读，继续办理</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <source>Check your application</source>
        <translation>请核对申请信息</translation>
    </message>
    <message>
        <source>If something is wrong, go back and correct it.</source>
        <translation>如有错误，请返回上一步修改。</translation>
    </message>
    <message>
        <source>I confirm that the information is true and agree that it is submitted to the government service platform.</source>
        <translation>本人承诺所填信息真实有效，并同意将以上信息提交至政务服务平台。</translation>
    </message>
    <message>
        <source>Submit application</source>
        <translation>提交申请</translation>
    </message>
</context>
<context>
    <name>StepIndicator</name>
    <message>
        <source>Choose service</source>
        <translation>选择事项</translation>
    </message>
    <message>
        <source>Read notice</source>
        <translation>阅读须知</translation>
    </message>
    <message>
        <source>Verify identity</source>
        <translation>身份核验</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>人像采集</translation>
    </message>
    <message>
        <source>Fill in form</source>
        <translation>填写表单</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认提交</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>打印回执</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
</TS>