set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m0_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'tiny-gpt2: decode, tpot_ms'
$d0 << EOD
-0.06 0.0461309871 0.0436985559 0.0485634183
0.94 0.0461210194 0.0438596522 0.0483823865
1.94 0.0783435677 0.0780244172 0.0786627183
EOD
$d1 << EOD
0 0.726425194 0.680526949 0.772323438
1 0.694134968 0.68770712 0.700562815
2 1.08776637 1.0842526 1.09128015
EOD
$d2 << EOD
0.06 2.6759353 2.44738098 2.90448962
1.06 2.64637634 2.47464303 2.81810964
2.06 2.46953055 2.41879749 2.52026362
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
