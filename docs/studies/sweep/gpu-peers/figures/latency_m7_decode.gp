set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m7_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-xl: decode, tpot_ms'
$d0 << EOD
-0.06 2.05782817 2.04755229 2.06810405
0.94 2.11479854 2.11263169 2.11696538
1.94 3.70377361 3.6950309 3.71251631
EOD
$d1 << EOD
0 12.028142 9.99112973 14.0651543
1 11.4978752 10.8090652 12.1866851
2 11.5699218 10.9588971 12.1809466
EOD
$d2 << EOD
0.06 23.9451245 22.0529677 25.8372812
1.06 23.4486152 22.1824839 24.7147465
2.06 21.3198645 20.7562955 21.8834336
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
