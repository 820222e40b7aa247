set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m6_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-large: decode, tpot_ms'
$d0 << EOD
-0.06 1.21812742 1.21474833 1.22150651
0.94 1.24415726 1.24083428 1.24748023
1.94 2.65273487 2.64445565 2.66101409
EOD
$d1 << EOD
0 10.0502918 8.20835439 11.8922291
1 13.1565048 9.84618786 16.4668217
2 13.8780156 11.6571515 16.0988798
EOD
$d2 << EOD
0.06 17.4162478 16.7180893 18.1144063
1.06 16.8708171 16.7436369 16.9979973
2.06 20.0222006 15.9423708 24.1020304
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
