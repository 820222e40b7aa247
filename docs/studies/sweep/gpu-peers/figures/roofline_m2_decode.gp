set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 9.26276839 9.15630694 9.36922983
0.94 9.487913 9.44597289 9.52985311
1.94 18.3323502 18.2878528 18.3768476
EOD
$d1 << EOD
0 142.865543 139.363007 146.368078
1 133.771975 127.461964 140.081986
2 171.926334 164.29887 179.553797
EOD
$d2 << EOD
0.06 329.271425 205.451524 453.091325
1.06 437.746537 298.820351 576.672724
2.06 275.266686 272.257874 278.275498
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
